/**
 * Input vocabulary: the words people may type (command keywords, sub-commands, option words) are
 * catalogue lists, and every language's words are accepted from everyone: a Chinese keyword works
 * for an English user and the other way round. The language a word belongs to tells which reply
 * language someone probably wants.
 */
import { LOCALES, type Locale, catalogs } from './catalog.js';

const unions = new Map<string, string[]>();

/** Every language's words for `key` (a catalogue list), Chinese first, without repeats. */
export function words(key: string): string[] {
  let list = unions.get(key);
  if (!list) {
    const all = LOCALES.flatMap((l) => {
      const entry = catalogs()[l].get(key);
      if (entry === undefined) return [];
      if (!Array.isArray(entry)) throw new Error(`Message key "${key}" is not a list of words`);
      return entry as string[];
    });
    if (all.length === 0) throw new Error(`No words for "${key}" in any catalogue`);
    list = [...new Set(all)];
    unions.set(key, list);
  }
  return list;
}

/** The language whose list `key` contains `word` (case-insensitive); Chinese wins a tie. */
export function localeOfWord(key: string, word: string): Locale | undefined {
  const lower = word.toLowerCase();
  return LOCALES.find((l) => {
    const entry = catalogs()[l].get(key);
    return Array.isArray(entry) && (entry as string[]).some((w) => w.toLowerCase() === lower);
  });
}
