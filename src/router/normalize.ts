/**
 * Turns what a user typed into a canonical command line: full-width forms folded to
 * half-width (NFKC), the bot's own @mention removed wherever it is, a leading `/` dropped,
 * runs of spaces collapsed. Chinese punctuation that NFKC keeps (、。) is left alone.
 */
export function normalizeCommandText(text: string, botNames: readonly string[]): string {
  let line = text.normalize('NFKC').replace(/[\u200b-\u200d\ufeff]/g, '');
  for (const name of botNames) {
    line = line.split(`@${name}`).join(' ');
  }
  line = line.replace(/\s+/g, ' ').trim();
  return line.replace(/^[/／]\s*/, '');
}

/** Splits the first word (the command keyword) from the rest. A keyword glued to its argument, like `提醒明天9点`, is split by the caller's keyword list. */
export function splitKeyword(line: string, keywords: readonly string[]): { keyword: string; rest: string } | null {
  const lower = line.toLowerCase();
  // Longest keyword first, so `提醒列表` style prefixes resolve to the most specific match.
  const sorted = [...keywords].sort((a, b) => b.length - a.length);
  for (const keyword of sorted) {
    const k = keyword.toLowerCase();
    if (!lower.startsWith(k)) continue;
    const next = line.charAt(k.length);
    const isAscii = /^[a-z]/i.test(k);
    // An ASCII keyword must end at a word boundary ("remind" must not match "reminder").
    if (isAscii && next !== '' && /[a-z0-9]/i.test(next)) continue;
    return { keyword, rest: line.slice(k.length).trim() };
  }
  return null;
}

/** Removes `@name` tokens for the given display names (mentions are passed separately). */
export function stripMentions(text: string, names: readonly string[]): string {
  let out = text;
  for (const name of [...names].sort((a, b) => b.length - a.length)) {
    out = out.split(`@${name}`).join(' ');
  }
  return out.replace(/\s+/g, ' ').trim();
}

/** Accepts `#12`, `12`, `＃12`; returns null when the token is not an id. */
export function parseShortId(token: string | undefined): number | null {
  if (!token) return null;
  const m = /^#?(\d{1,9})$/.exec(token.normalize('NFKC').trim());
  return m ? Number(m[1]) : null;
}
