/** Argument helpers every command handler shares: subcommand words and `#id` tokens. */
import { parseShortId } from '../src/router/normalize.js';
import { type Msg, UsageError } from '../src/router/types.js';

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
