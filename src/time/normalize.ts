/**
 * One spelling for the grammar: half-width ASCII, Simplified characters, Mandarin day words.
 * Every replacement keeps the length in UTF-16 units, so offsets into the normalised text are
 * offsets into what the person typed (the reminder text is cut from the original).
 */

/** Cantonese and Traditional words, replaced before single characters (equal lengths). */
const WORDS: ReadonlyArray<readonly [string, string]> = [
  ['聽日', '明天'], ['听日', '明天'], ['聽朝', '明早'], ['听朝', '明早'], ['琴日', '昨天'], ['尋日', '昨天'], ['寻日', '昨天'],
  ['今朝', '今早'], ['下晝', '下午'], ['下昼', '下午'], ['晏晝', '中午'], ['晏昼', '中午'], ['朝早', '早上'], ['晚黑', '晚上'],
];
const WORD_RE = new RegExp(WORDS.map(([w]) => w).join('|'), 'g');
const WORD_MAP = new Map(WORDS);

/** Traditional → Simplified for the characters the grammar reads. */
const CHARS: Readonly<Record<string, string>> = {
  後: '后', 點: '点', 週: '周', 禮: '礼', 個: '个', 鐘: '钟', 時: '时', 號: '号', 兩: '两', 這: '这', 裡: '里', 裏: '里',
  頭: '头', 過: '过', 內: '内', 萬: '万', 間: '间', 晝: '昼', 於: '于', 從: '从', 現: '现',
};
const CHAR_RE = new RegExp(`[${Object.keys(CHARS).join('')}]`, 'g');

/** Full-width ASCII (U+FF01–FF5E), the ideographic space, the wave dash and the long vowel mark. */
function halfWidth(input: string): string {
  return input.replace(/[\uFF01-\uFF5E\u3000\u301C\u30FC]/g, (ch) => {
    if (ch === '\u3000') return ' ';
    if (ch === '\u301C') return '~';
    if (ch === '\u30FC') return '-';
    return String.fromCharCode(ch.charCodeAt(0) - 0xfee0);
  });
}

/** The text the grammar reads; same length as `input`. */
export function normalizeInput(input: string): string {
  return halfWidth(input)
    .replace(WORD_RE, (w) => WORD_MAP.get(w) ?? w)
    .replace(CHAR_RE, (ch) => CHARS[ch] ?? ch);
}
