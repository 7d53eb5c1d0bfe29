/** Executive schedule cards and texts: the conflict alert and the morning digest. */
import { IMPORTANCE_LABEL, roleText, type Clash, type ScheduleItem, type Suggestion } from '../src/services/schedule-logic.js';
import type { Card } from './model.js';

export const SCHEDULE_ACTIONS = { keepFirst: 'schedule.keep-first', keepSecond: 'schedule.keep-second', delegate: 'schedule.delegate' } as const;

/** `会议 #12` / `日程 #5` / `日历`: where an item comes from, with the id to use in commands. */
export function sourceText(item: ScheduleItem): string {
  if (item.source === 'meeting') return `会议 #${item.key.slice(1)}`;
  if (item.source === 'entry') return `日程 #${item.key.slice(1)}`;
  return '日历';
}

/** One line: `会议 #12「战略会」· 2026-11-28 15:00~16:00 · 主会场 · 主持 · 重要性 高`. */
export function itemLine(item: ScheduleItem, time: (i: ScheduleItem) => string): string {
  const parts = [`${sourceText(item)}「${item.title}」`, time(item), item.venue ?? '地点未定', roleText(item)];
  if (item.importance) parts.push(`重要性 ${IMPORTANCE_LABEL[item.importance]}`);
  return parts.join(' · ');
}

export function clashText(clash: Clash, bufferMinutes: number): string {
  return clash.kind === 'overlap'
    ? '两项时间重叠'
    : `两项地点不同，间隔仅 ${clash.gapMinutes} 分钟，不足转场时间 ${bufferMinutes} 分钟`;
}

export interface ConflictCardInput {
  cardId: string;
  conflictId: number;
  executiveName: string;
  clash: Clash;
  suggestion: Suggestion;
  time: (i: ScheduleItem) => string;
  bufferMinutes: number;
  /** The executive's own card offers 请助理协调; an assistant's does not. */
  forExecutive: boolean;
}

export function conflictCard(input: ConflictCardInput): Card {
  const { clash } = input;
  const actions: Card['actions'] = [
    { key: SCHEDULE_ACTIONS.keepFirst, label: '保留前者', style: input.suggestion.keep === 'first' ? 'primary' : 'default' },
    { key: SCHEDULE_ACTIONS.keepSecond, label: '保留后者', style: input.suggestion.keep === 'second' ? 'primary' : 'default' },
  ];
  if (input.forExecutive) actions.push({ key: SCHEDULE_ACTIONS.delegate, label: '请助理协调' });
  return {
    id: input.cardId,
    title: `⚠️ 日程冲突 #${input.conflictId}：${input.executiveName}`,
    body: `${input.executiveName}的日程中${clashText(clash, input.bufferMinutes)}：`,
    fields: [
      { label: '前者', value: itemLine(clash.a, input.time) },
      { label: '后者', value: itemLine(clash.b, input.time) },
      { label: '建议', value: input.suggestion.reason },
    ],
    actions,
    fallback: `也可回复：日程 冲突 #${input.conflictId} 前者|后者${input.forExecutive ? '|助理' : ''}`,
  };
}

export interface DigestInput {
  executiveName: string;
  dateLabel: string;
  items: ScheduleItem[];
  clashes: Clash[];
  time: (i: ScheduleItem) => string;
  bufferMinutes: number;
}

/** The morning digest: conflicts first, then the day in order. */
export function digestText(input: DigestInput): string {
  const lines = [`☀️ ${input.executiveName} 今日日程（${input.dateLabel}）`];
  if (input.clashes.length > 0) {
    lines.push(`⚠️ 冲突 ${input.clashes.length} 处：`);
    for (const c of input.clashes) {
      lines.push(`  · ${sourceText(c.a)}「${c.a.title}」（${input.time(c.a)}）↔ ${sourceText(c.b)}「${c.b.title}」（${input.time(c.b)}）：${clashText(c, input.bufferMinutes)}`);
    }
  } else {
    lines.push('✅ 今日无冲突');
  }
  lines.push(`日程 ${input.items.length} 项：`);
  for (const item of input.items) lines.push(`  · ${itemLine(item, input.time)}`);
  return lines.join('\n');
}
