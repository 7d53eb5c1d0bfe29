/** Argument helpers every command handler shares: subcommand words and `#id` tokens. */
import type { Locale } from '../src/i18n/catalog.js';
import type { Translator } from '../src/i18n/translator.js';
import { parseShortId } from '../src/router/normalize.js';
import { type Msg, UsageError } from '../src/router/types.js';
import type { ParseOptions } from '../src/time/parse-time.js';

/** Splits `#12 rest of text` into the id and the rest; `noun` and `example` (catalogue messages) complete the usage message. */
export function takeShortId(args: string, noun: Msg, example: Msg): { id: number; rest: string } {
  const [token, ...rest] = args.split(' ');
  const id = parseShortId(token);
  if (id === null) throw new UsageError('E_ID_MISSING', { noun, example });
  return { id, rest: rest.join(' ').trim() };
}

/** Finds the first subcommand whose words match the first token. */
export function matchSub<K extends string>(args: string, table: Record<K, readonly string[]>): { sub: K | null; rest: string } {
  const [first = '', ...rest] = args.split(' ');
  const sub = (Object.keys(table) as K[]).find((k) => table[k].includes(first.toLowerCase())) ?? null;
  return sub ? { sub, rest: rest.join(' ').trim() } : { sub: null, rest: args };
}

/**
 * Languages whose writers may put the day first in a numeric date: English is written both ways
 * (5 June in Britain, May 6 in the US), so "05/06" from an English reader is asked, never guessed.
 */
const DAY_FIRST: ReadonlySet<Locale> = new Set(['en']);

/** How the requester's times are read: now, the configured zone, and their date order (docs/time-expressions.md). */
export function timeOptions(ctx: { now: Date; t: Translator; services: { config: { HUIWU_TIMEZONE: string } } }): ParseOptions {
  return { now: ctx.now, timeZone: ctx.services.config.HUIWU_TIMEZONE, dayFirst: DAY_FIRST.has(ctx.t.locale) };
}
