/**
 * What incidents are called, in the reader's language: types, levels, statuses, satisfaction
 * answers and timeline entries. `Incident.type` keeps the values stored before the catalogues
 * (设备, 客诉...): the first Chinese word of each type's word list (`incident.words.type.*`), so
 * a stored value is also a word people type and maps back to its type code through the same table.
 * Lookups are Maps: a typed word such as `__proto__` or `constructor` is just an unknown word.
 */
import { catalogs } from '../src/i18n/catalog.js';
import { type Msg, type Translator, msg } from '../src/i18n/translator.js';
import { words } from '../src/i18n/vocabulary.js';

export const INCIDENT_TYPES = ['equipment', 'security', 'medical', 'complaint', 'logistics', 'other'] as const;
export type IncidentType = (typeof INCIDENT_TYPES)[number];
export const LEVELS = [1, 2, 3, 4] as const;

let typeTable: ReadonlyMap<string, IncidentType> | undefined;
let levelTable: ReadonlyMap<string, number> | undefined;

/** Every language's words of each value, lower-cased; the first value to claim a word keeps it. */
function wordTable<V>(entries: ReadonlyArray<readonly [V, string]>): ReadonlyMap<string, V> {
  const map = new Map<string, V>();
  for (const [value, key] of entries) for (const word of words(key)) if (!map.has(word.toLowerCase())) map.set(word.toLowerCase(), value);
  return map;
}

/** The type a typed word (or a stored value) names, in any language; null when it names none. */
export function typeOfWord(word: string | undefined): IncidentType | null {
  typeTable ??= wordTable(INCIDENT_TYPES.map((t) => [t, `incident.words.type.${t}`] as const));
  return typeTable.get((word ?? '').toLowerCase()) ?? null;
}

/** The level (1..4) a typed word names (`P1`, `一级`, `urgent`, `level2`...), else null. */
export function levelOfWord(word: string | undefined): number | null {
  levelTable ??= wordTable(LEVELS.map((l) => [l, `incident.words.level.${l}`] as const));
  return levelTable.get((word ?? '').toLowerCase()) ?? null;
}

/** The value stored in `Incident.type` for a type. */
export function storedType(type: IncidentType): string {
  const list = catalogs()['zh-CN'].get(`incident.words.type.${type}`);
  if (!Array.isArray(list) || typeof list[0] !== 'string') throw new Error(`No stored value for incident type ${type}`);
  return list[0] as string;
}

/** The type code of a stored value (`other` for a value no list knows). */
export function typeCode(stored: string): IncidentType {
  return typeOfWord(stored) ?? 'other';
}

export const isComplaint = (stored: string): boolean => typeCode(stored) === 'complaint';

export const typeMsg = (stored: string): Msg => msg(`incident.type.${typeCode(stored)}`);

/** `P1`..`P4`; complaints have response levels of their own (一级..四级). */
export function levelMsg(stored: string, severity: number): Msg {
  return isComplaint(stored) && LEVELS.includes(severity as 1) ? msg(`incident.level.complaint.${severity}`) : msg('incident.level.incident', { n: severity });
}

/** `[P1 设备]` / `[P1 equipment]`. */
export const labelMsg = (stored: string, severity: number): Msg => msg('incident.label', { level: levelMsg(stored, severity), type: typeMsg(stored) });

export const statusMsg = (status: string): Msg => msg(`incident.status.${status}`);

export const satisfactionMsg = (answer: string): Msg => msg(`incident.satisfaction.${answer}`);

/** Names joined the reader's way (`甲、乙` / `A, B`), as one message parameter. */
export function namesMsg(names: readonly string[]): Msg | string {
  if (names.length <= 1) return names[0] ?? '';
  return msg('incident.join', { head: names[0]!, sep: msg('common.listSeparator'), tail: namesMsg(names.slice(1)) });
}

/**
 * System timeline entries keep their facts as JSON (`{"step":1,"names":["周婷"]}`) and are worded
 * when read, in the reader's language; older rows hold Chinese text, shown as it is.
 */
export interface EventFacts {
  severity?: number;
  from?: number;
  to?: number;
  step?: number | null;
  names?: string[];
  answer?: string;
}

const SYSTEM_KINDS = new Set(['reported', 'raised', 'escalated', 'satisfaction', 'reopened']);

export function eventFacts(kind: string, text: string | null): EventFacts | null {
  if (!text || !SYSTEM_KINDS.has(kind) || !text.startsWith('{')) return null;
  try {
    const facts: unknown = JSON.parse(text);
    return typeof facts === 'object' && facts !== null && !Array.isArray(facts) ? (facts as EventFacts) : null;
  } catch {
    return null;
  }
}

export interface EventIncident {
  type: string;
  location: string | null;
  description: string;
}

/** The detail of a timeline entry (null when it has none). */
export function eventText(incident: EventIncident, kind: string, text: string | null): Msg | string | null {
  const facts = eventFacts(kind, text);
  if (!facts) return text;
  const names = namesMsg(facts.names ?? []);
  switch (kind) {
    case 'reported':
      return msg('incident.event.reportedText', {
        level: levelMsg(incident.type, facts.severity ?? 3),
        type: typeMsg(incident.type),
        location: incident.location ?? msg('incident.noLocation'),
        description: incident.description,
      });
    case 'raised':
      return msg('incident.event.raisedText', { from: levelMsg(incident.type, facts.from ?? 0), to: levelMsg(incident.type, facts.to ?? 0) });
    case 'escalated':
      return msg('incident.event.escalatedText', { step: msg(`incident.step.${facts.step}`), names });
    case 'reopened':
      return facts.step ? msg('incident.event.reopenedText', { step: msg(`incident.step.${facts.step}`), names }) : msg('incident.event.reopenedNobody');
    case 'satisfaction':
      return satisfactionMsg(facts.answer ?? '');
    default:
      return text;
  }
}

export function eventLabel(kind: string): Msg {
  return msg(`incident.event.${kind}`);
}

/** `1分05秒`, `2小时3分` / `1m 05s`, `2h 3m`: durations in replies, reviews and figures. */
export function durationMsg(ms: number): Msg {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return msg('incident.duration.seconds', { s });
  if (s < 3600) return msg('incident.duration.minutes', { m: Math.floor(s / 60), s: String(s % 60).padStart(2, '0') });
  return msg('incident.duration.hours', { h: Math.floor(s / 3600), m: Math.floor((s % 3600) / 60) });
}

export function formatDuration(t: Translator, ms: number): string {
  return t.render(durationMsg(ms));
}

/** The types as a list in the reader's language, for refusals. */
export function typeList(t: Translator): string {
  return INCIDENT_TYPES.map((type) => t.t(`incident.type.${type}`)).join(' / ');
}
