/**
 * The pure part of executive schedule conflicts: what an item of a schedule is, when two items
 * clash (overlap, or too little time to travel between different venues), and which one to keep.
 * No database, no clock: unit-tested in tests/unit/schedule-logic.test.ts. What people read is in
 * `cards/schedule-cards.ts`.
 */
import { words } from '../i18n/vocabulary.js';

export type Importance = 'high' | 'medium' | 'low';
export type ItemRole = 'host' | 'speaker' | 'attendee';

/** `高` / `high` → 'high'; null for anything else. */
export function parseImportance(word: string): Importance | null {
  return matchWord(word, ['high', 'medium', 'low'] as const);
}

/** `主持` / `host` → 'host'; null for anything else. */
export function parseRole(word: string): ItemRole | null {
  return matchWord(word, ['host', 'speaker', 'attendee'] as const);
}

/** The value whose word list (`schedule.words.<value>`, every language) holds `word`. */
function matchWord<V extends string>(word: string, values: readonly V[]): V | null {
  const w = word.trim().toLowerCase();
  return values.find((v) => words(`schedule.words.${v}`).some((x) => x.toLowerCase() === w)) ?? null;
}

/** One item of an executive's schedule, whatever its source. */
export interface ScheduleItem {
  /** Stable key: `m<meeting id>`, `e<entry id>`, `b<start ms>-<end ms>` (platform calendar). */
  key: string;
  source: 'meeting' | 'entry' | 'busy';
  /** Empty for a calendar slot without a title (shown as 日历忙碌). */
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

export interface Suggestion {
  keep: 'first' | 'second' | null;
  /** What decided: the executive's role, then the importance; a tie suggests the assistant. */
  basis: 'role' | 'importance' | 'tie';
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
  if (role(a) !== role(b)) return { keep: role(a) > role(b) ? 'first' : 'second', basis: 'role' };
  if (imp(a) !== imp(b)) return { keep: imp(a) > imp(b) ? 'first' : 'second', basis: 'importance' };
  return { keep: null, basis: 'tie' };
}
