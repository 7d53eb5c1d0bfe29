/**
 * The pure part of executive schedule conflicts: what an item of a schedule is, when two items
 * clash (overlap, or too little time to travel between different venues), and which one to keep.
 * No database, no clock: unit-tested in tests/unit/schedule-logic.test.ts.
 */

export type Importance = 'high' | 'medium' | 'low';
export type ItemRole = 'host' | 'speaker' | 'attendee';

export const IMPORTANCE_LABEL: Record<Importance, string> = { high: '高', medium: '中', low: '低' };
export const ROLE_LABEL: Record<ItemRole, string> = { host: '主持', speaker: '主讲', attendee: '参会' };

/** `高` / `high` → 'high'; null for anything else. */
export function parseImportance(word: string): Importance | null {
  const w = word.trim().toLowerCase();
  if (w === '高' || w === 'high') return 'high';
  if (w === '中' || w === 'medium') return 'medium';
  if (w === '低' || w === 'low') return 'low';
  return null;
}

/** `主持` / `host` → 'host'; null for anything else. */
export function parseRole(word: string): ItemRole | null {
  const w = word.trim().toLowerCase();
  if (['主持', '主持人', 'host'].includes(w)) return 'host';
  if (['主讲', '主讲人', '发言', 'speaker'].includes(w)) return 'speaker';
  if (['参会', '参加', 'attendee'].includes(w)) return 'attendee';
  return null;
}

/** One item of an executive's schedule, whatever its source. */
export interface ScheduleItem {
  /** Stable key: `m<meeting id>`, `e<entry id>`, `b<start ms>-<end ms>` (platform calendar). */
  key: string;
  source: 'meeting' | 'entry' | 'busy';
  title: string;
  start: Date;
  end: Date;
  venue: string | null;
  /** The executive's role in a Huiwu meeting; null for entries and calendar slots. */
  role: ItemRole | null;
  /** Meetings and entries; null for calendar slots (unknown, counted as 中). */
  importance: Importance | null;
}

export interface Clash {
  /** The item that starts first (前者). */
  a: ScheduleItem;
  /** The item that starts later (后者). */
  b: ScheduleItem;
  kind: 'overlap' | 'travel';
  /** For `travel`: minutes between the end of `a` and the start of `b`. */
  gapMinutes: number;
}

export function busyKey(start: Date, end: Date): string {
  return `b${start.getTime()}-${end.getTime()}`;
}

function sameVenue(x: string | null, y: string | null): boolean {
  const norm = (v: string) => v.replace(/\s+/g, '').toLowerCase();
  // An unknown venue cannot be said to differ: no travel buffer is required then.
  if (!x?.trim() || !y?.trim()) return true;
  return norm(x) === norm(y);
}

/** Earlier start first; ties by earlier end, then key, so the order is the same from either side. */
export function compareItems(x: ScheduleItem, y: ScheduleItem): number {
  return x.start.getTime() - y.start.getTime() || x.end.getTime() - y.end.getTime() || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0);
}

export function ordered(x: ScheduleItem, y: ScheduleItem): [ScheduleItem, ScheduleItem] {
  return compareItems(x, y) <= 0 ? [x, y] : [y, x];
}

/**
 * Whether two items clash: they overlap (touching ends do not), or they are at different known
 * venues with less than `bufferMs` between them. Back-to-back in the same venue is fine.
 */
export function clashBetween(x: ScheduleItem, y: ScheduleItem, bufferMs: number): Clash | null {
  if (x.key === y.key) return null;
  const [a, b] = ordered(x, y);
  if (b.start < a.end) return { a, b, kind: 'overlap', gapMinutes: 0 };
  const gap = b.start.getTime() - a.end.getTime();
  if (bufferMs > 0 && gap < bufferMs && !sameVenue(a.venue, b.venue)) return { a, b, kind: 'travel', gapMinutes: Math.round(gap / 60_000) };
  return null;
}

/** Every clash of `item` with `others` (all of them, not only the first). */
export function clashesWith(item: ScheduleItem, others: readonly ScheduleItem[], bufferMs: number): Clash[] {
  return others.flatMap((o) => clashBetween(item, o, bufferMs) ?? []);
}

/** Every clash among `items`: a sweep over items sorted by start, O(n log n + clashes). */
export function allClashes(items: readonly ScheduleItem[], bufferMs: number): Clash[] {
  const sorted = [...items].sort(compareItems);
  const found: Clash[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const reach = sorted[i]!.end.getTime() + Math.max(0, bufferMs);
    for (let j = i + 1; j < sorted.length && sorted[j]!.start.getTime() < reach; j++) {
      const clash = clashBetween(sorted[i]!, sorted[j]!, bufferMs);
      if (clash) found.push(clash);
    }
  }
  return found;
}

/** The deterministic key of a clash: the executive and the two item keys in a fixed order. */
export function clashKey(executiveId: string, x: string, y: string): string {
  return x < y ? `${executiveId}|${x}|${y}` : `${executiveId}|${y}|${x}`;
}

const ROLE_RANK: Record<ItemRole, number> = { host: 3, speaker: 2, attendee: 1 };
const IMPORTANCE_RANK: Record<Importance, number> = { high: 3, medium: 2, low: 1 };

export function roleText(item: ScheduleItem): string {
  if (item.role) return ROLE_LABEL[item.role];
  return item.source === 'entry' ? '本人日程' : '日历忙碌';
}

export interface Suggestion {
  keep: 'first' | 'second' | null;
  reason: string;
}

/**
 * Which item to keep: the one where the executive has the bigger role (主持 > 主讲 > 参会; an own
 * entry or a calendar slot counts as 参会), then the more important one (高 > 中 > 低; a calendar
 * slot counts as 中). Equal on both: no suggestion, the assistant should coordinate.
 */
export function suggest(clash: Clash): Suggestion {
  const { a, b } = clash;
  const role = (i: ScheduleItem) => (i.role ? ROLE_RANK[i.role] : 1);
  const imp = (i: ScheduleItem) => IMPORTANCE_RANK[i.importance ?? 'medium'];
  const name = (i: ScheduleItem) => `「${i.title}」`;
  const impText = (i: ScheduleItem) => (i.importance ? IMPORTANCE_LABEL[i.importance] : '未知（按中）');
  if (role(a) !== role(b)) {
    const [keep, other] = role(a) > role(b) ? [a, b] : [b, a];
    return {
      keep: keep === a ? 'first' : 'second',
      reason: `建议保留${keep === a ? '前者' : '后者'}${name(keep)}：您在其中担任${roleText(keep)}，在${name(other)}中为${roleText(other)}`,
    };
  }
  if (imp(a) !== imp(b)) {
    const [keep, other] = imp(a) > imp(b) ? [a, b] : [b, a];
    return {
      keep: keep === a ? 'first' : 'second',
      reason: `建议保留${keep === a ? '前者' : '后者'}${name(keep)}：两项中您的角色相同（${roleText(keep)}），其重要性为${impText(keep)}，${name(other)}为${impText(other)}`,
    };
  }
  return { keep: null, reason: `两项中您的角色（${roleText(a)}）和重要性（${impText(a)}）相同，建议请助理协调` };
}
