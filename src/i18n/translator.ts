/**
 * Rendering catalogue messages in one language. A parameter may itself be a message (`msg(...)`),
 * rendered in the same language, so services can name things ("the P1 level", "organizer") without
 * knowing who will read them; dates are shown in the configured zone.
 */
import { type Entry, type Locale, catalogs } from './catalog.js';
import { formatDateTime } from '../time/zoned.js';

export interface Msg {
  readonly key: string;
  readonly params?: Params;
}
/** A list is joined the way the reader's language joins lists. */
export type Param = string | number | Date | Msg | readonly string[] | null | undefined;
export type Params = Readonly<Record<string, Param>>;

/** A message to be rendered later, in the reader's language. */
export function msg(key: string, params?: Params): Msg {
  return params ? { key, params } : { key };
}

export function isMsg(value: unknown): value is Msg {
  return typeof value === 'object' && value !== null && !(value instanceof Date) && !Array.isArray(value) && typeof (value as Msg).key === 'string';
}

export class Translator {
  private readonly plurals: Intl.PluralRules;

  constructor(
    readonly locale: Locale,
    readonly timeZone: string,
  ) {
    this.plurals = new Intl.PluralRules(locale);
  }

  /** The message `key` with its `{placeholders}` filled. Unknown keys show as the key (the catalogue test keeps them out). */
  t(key: string, params: Params = {}): string {
    const entry = catalogs()[this.locale].get(key) ?? catalogs()['zh-CN'].get(key);
    if (entry === undefined) return key;
    return this.fill(this.template(entry, params), params);
  }

  /** A message object rendered in this language. */
  render(message: Msg | string): string {
    return typeof message === 'string' ? message : this.t(message.key, message.params);
  }

  has(key: string): boolean {
    return catalogs()[this.locale].has(key);
  }

  /** `YYYY-MM-DD HH:mm` in the configured zone (the same in every language: unambiguous). */
  dateTime(at: Date): string {
    return formatDateTime(at, this.timeZone);
  }

  /** Items joined the way the language joins a list ("甲、乙" / "A, B"). */
  list(items: readonly string[]): string {
    return items.join(this.t('common.listSeparator'));
  }

  private template(entry: Entry, params: Params): string {
    if (typeof entry === 'string') return entry;
    if (Array.isArray(entry)) return entry.join(', ');
    const forms = entry as Exclude<Entry, string | readonly string[]>;
    const count = Number(params.count ?? 0);
    return forms[this.plurals.select(count) as keyof typeof forms] ?? forms.other;
  }

  private fill(template: string, params: Params): string {
    return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
      if (!(name in params)) return whole;
      return this.param(params[name]);
    });
  }

  private param(value: Param): string {
    if (value === null || value === undefined) return '';
    if (value instanceof Date) return this.dateTime(value);
    if (Array.isArray(value)) return this.list(value as readonly string[]);
    if (isMsg(value)) return this.t(value.key, value.params);
    return String(value);
  }
}

const translators = new Map<string, Translator>();

/** One shared translator per language and zone. */
export function translator(locale: Locale, timeZone: string): Translator {
  const id = `${locale}|${timeZone}`;
  let t = translators.get(id);
  if (!t) {
    t = new Translator(locale, timeZone);
    translators.set(id, t);
  }
  return t;
}
