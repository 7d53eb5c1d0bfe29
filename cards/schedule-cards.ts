/**
 * Executive schedule cards and texts: the conflict alert and the morning digest, in the reader's
 * language (`t`). The shapes below are what the cards read of a schedule item, a clash and a
 * suggestion (`src/services/schedule-logic.ts` produces them; cards do not import services).
 */
import type { Translator } from '../src/i18n/translator.js';
import type { Card } from './model.js';

export const SCHEDULE_ACTIONS = { keepFirst: 'schedule.keep-first', keepSecond: 'schedule.keep-second', delegate: 'schedule.delegate' } as const;

export type ItemImportance = 'high' | 'medium' | 'low';

export interface ItemView {
  /** `m<meeting id>`, `e<entry id>`, `b<start ms>-<end ms>`. */
  key: string;
  source: 'meeting' | 'entry' | 'busy';
  /** Empty for a calendar slot without a title. */
  title: string;
  venue: string | null;
  role: 'host' | 'speaker' | 'attendee' | null;
  importance: ItemImportance | null;
}

export interface ClashView<I extends ItemView = ItemView> {
  a: I;
  b: I;
  kind: 'overlap' | 'travel';
  gapMinutes: number;
}

export interface SuggestionView {
  keep: 'first' | 'second' | null;
  /** What decided: the executive's role, the importance, or nothing (a tie). */
  basis: 'role' | 'importance' | 'tie';
}

/** `会议 #12` / `日程 #5` / `日历`: where an item comes from, with the id to use in commands. */
export function sourceText(t: Translator, item: ItemView): string {
  if (item.source === 'busy') return t.t('schedule.source.busy');
  return t.t(`schedule.source.${item.source}`, { id: item.key.slice(1) });
}

/** The title, or `日历忙碌` for an untitled calendar slot. */
export function itemTitle(t: Translator, item: ItemView): string {
  return item.title || t.t('schedule.busyTitle');
}

/** `会议 #12「战略会」`. */
export function itemName(t: Translator, item: ItemView): string {
  return t.t('schedule.itemName', { source: sourceText(t, item), title: itemTitle(t, item) });
}

export function roleText(t: Translator, item: ItemView): string {
  return t.t(`schedule.role.${item.role ?? (item.source === 'entry' ? 'entry' : 'busy')}`);
}

export function importanceText(t: Translator, importance: ItemImportance | null): string {
  return t.t(`schedule.importance.${importance ?? 'unknown'}`);
}

/** One line: `会议 #12「战略会」 · 2026-11-28 15:00~16:00 · 主会场 · 主持 · 重要性 高`. */
export function itemLine<I extends ItemView>(t: Translator, item: I, time: (i: I) => string): string {
  const parts = [itemName(t, item), time(item), item.venue ?? t.t('schedule.venueUnknown'), roleText(t, item)];
  if (item.importance) parts.push(t.t('schedule.itemImportance', { importance: importanceText(t, item.importance) }));
  return parts.join(' · ');
}

export function clashText(t: Translator, clash: ClashView, bufferMinutes: number): string {
  return clash.kind === 'overlap' ? t.t('schedule.clash.overlap') : t.t('schedule.clash.travel', { gap: clash.gapMinutes, buffer: bufferMinutes });
}

/** `会议 #12「A」（time）↔ 日程 #5「B」（time）`. */
export function pairText<I extends ItemView>(t: Translator, clash: ClashView<I>, time: (i: I) => string): string {
  return t.t('schedule.pair', { a: itemName(t, clash.a), ta: time(clash.a), b: itemName(t, clash.b), tb: time(clash.b) });
}

/**
 * Why one item is suggested (or that the assistant should coordinate). The executive reads "您";
 * an assistant's copy (`executiveName` given) names the executive, since "your role" would be
 * about the wrong person.
 */
export function suggestionText(t: Translator, clash: ClashView, suggestion: SuggestionView, executiveName?: string): string {
  const audience = executiveName === undefined ? 'self' : 'other';
  const name = executiveName ?? '';
  const { a, b } = clash;
  if (suggestion.basis === 'tie' || suggestion.keep === null) {
    return t.t(`schedule.suggest.tie.${audience}`, { name, role: roleText(t, a), importance: importanceText(t, a.importance) });
  }
  const [keep, other] = suggestion.keep === 'first' ? [a, b] : [b, a];
  const common = { name, side: t.t(`schedule.${suggestion.keep}`), keep: itemTitle(t, keep), other: itemTitle(t, other) };
  if (suggestion.basis === 'role') {
    return t.t(`schedule.suggest.role.${audience}`, { ...common, keepRole: roleText(t, keep), otherRole: roleText(t, other) });
  }
  return t.t(`schedule.suggest.importance.${audience}`, {
    ...common,
    role: roleText(t, keep),
    keepImportance: importanceText(t, keep.importance),
    otherImportance: importanceText(t, other.importance),
  });
}

export interface ConflictCardInput<I extends ItemView> {
  cardId: string;
  conflictId: number;
  executiveName: string;
  clash: ClashView<I>;
  suggestion: SuggestionView;
  time: (i: I) => string;
  bufferMinutes: number;
  /** The executive's own card offers 请助理协调 and says "您"; an assistant's names the executive instead. */
  forExecutive: boolean;
}

export function conflictCard<I extends ItemView>(t: Translator, input: ConflictCardInput<I>): Card {
  const { clash } = input;
  const actions: Card['actions'] = [
    { key: SCHEDULE_ACTIONS.keepFirst, label: t.t('schedule.card.keepFirst'), style: input.suggestion.keep === 'first' ? 'primary' : 'default' },
    { key: SCHEDULE_ACTIONS.keepSecond, label: t.t('schedule.card.keepSecond'), style: input.suggestion.keep === 'second' ? 'primary' : 'default' },
  ];
  if (input.forExecutive) actions.push({ key: SCHEDULE_ACTIONS.delegate, label: t.t('schedule.card.delegate') });
  return {
    id: input.cardId,
    title: t.t('schedule.card.title', { id: input.conflictId, name: input.executiveName }),
    body: t.t('schedule.card.body', { name: input.executiveName, clash: clashText(t, clash, input.bufferMinutes) }),
    fields: [
      { label: t.t('schedule.card.first'), value: itemLine(t, clash.a, input.time) },
      { label: t.t('schedule.card.second'), value: itemLine(t, clash.b, input.time) },
      { label: t.t('schedule.card.suggestion'), value: suggestionText(t, clash, input.suggestion, input.forExecutive ? undefined : input.executiveName) },
    ],
    actions,
    fallback: t.t(input.forExecutive ? 'schedule.card.fallbackExecutive' : 'schedule.card.fallback', { id: input.conflictId }),
  };
}

export interface DigestInput<I extends ItemView> {
  executiveName: string;
  dateLabel: string;
  items: I[];
  clashes: Array<ClashView<I>>;
  time: (i: I) => string;
  bufferMinutes: number;
}

/** The morning digest: conflicts first, then the day in order. */
export function digestText<I extends ItemView>(t: Translator, input: DigestInput<I>): string {
  const lines = [t.t('schedule.digest.title', { name: input.executiveName, date: input.dateLabel })];
  if (input.clashes.length > 0) {
    lines.push(t.t('schedule.digest.conflicts', { count: input.clashes.length }));
    for (const c of input.clashes) lines.push(t.t('schedule.digest.conflictLine', { pair: pairText(t, c, input.time), why: clashText(t, c, input.bufferMinutes) }));
  } else {
    lines.push(t.t('schedule.digest.noConflicts'));
  }
  lines.push(t.t('schedule.digest.items', { count: input.items.length }));
  for (const item of input.items) lines.push(t.t('schedule.bullet', { text: itemLine(t, item, input.time) }));
  return lines.join('\n');
}
