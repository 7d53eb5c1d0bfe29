/**
 * The detail of a task history entry (`TaskEvent.text`) is stored as a catalogue key with its
 * parameters (JSON), not as rendered text: each reader sees it in their own language. A detail
 * says only what the verb does not (`按时`, `新负责人 吴军`), and each line is built once from the
 * kind and the detail (`完成：按时`, `张伟 已完成（按时）`), never by wrapping a finished label.
 * Rows written before this format hold plain text and are shown as they are.
 */
import type { Param, Translator } from '../i18n/translator.js';

/** A parameter of a note: a list of names is joined the reader's way ("甲、乙" / "A, B"). */
export type NoteParam = Param | readonly string[];
export interface Note {
  key: string;
  params?: Readonly<Record<string, NoteParam>>;
}

export function note(key: string, params?: Record<string, NoteParam>): Note {
  return params ? { key, params } : { key };
}

export function encodeNote(value: Note | null): string | null {
  if (!value) return null;
  const params = value.params && Object.fromEntries(Object.entries(value.params).map(([k, v]) => [k, v instanceof Date ? { $date: v.toISOString() } : v]));
  return JSON.stringify(params ? { key: value.key, params } : { key: value.key });
}

/** The stored detail as a note; plain text from older rows as it is. */
export function decodeNote(text: string | null): Note | string | null {
  if (!text) return null;
  if (!text.startsWith('{')) return text;
  try {
    const parsed = JSON.parse(text) as { key?: unknown; params?: Record<string, unknown> };
    if (typeof parsed.key !== 'string') return text;
    const params = parsed.params && Object.fromEntries(Object.entries(parsed.params).map(([k, v]) => [k, decodeParam(v)]));
    return note(parsed.key, params);
  } catch {
    return text; // plain text that happens to start with a brace
  }
}

function decodeParam(value: unknown): NoteParam {
  if (Array.isArray(value)) return value.map(String);
  if (value && typeof value === 'object') {
    const date = (value as { $date?: unknown }).$date;
    return typeof date === 'string' ? new Date(date) : null;
  }
  return value as Param;
}

export function renderNote(t: Translator, value: Note | string | null): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  const params = value.params && Object.fromEntries(Object.entries(value.params).map(([k, v]) => [k, Array.isArray(v) ? t.list(v) : (v as Param)]));
  return t.t(value.key, params);
}
