/**
 * The time parser against its table (time-parser-table.ts), run under two machine zones: the result
 * may depend on the configured zone only, never on the zone of the machine running it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translator } from '../../src/i18n/translator.js';
import { formatDateTime, parseTime, parseTimeRange, type ParseOptions, type TimeParse } from '../../src/time/parse-time.js';
import { describeRule } from '../../src/time/recurring.js';
import { NOON, NOW, NY, SH, rangeRows, rows, type Row } from './time-parser-table.js';

const MACHINE_ZONES = ['Asia/Shanghai', 'America/Los_Angeles'];
const zh = translator('zh-CN', SH);
const en = translator('en', SH);

function optsOf(row: { now?: string; zone?: string; dayFirst?: boolean }): ParseOptions {
  return { now: new Date(row.now ?? NOW), timeZone: row.zone ?? SH, ...(row.dayFirst ? { dayFirst: true } : {}) };
}

function checkRow(row: Row, r: TimeParse): void {
  const zone = row.zone ?? SH;
  if (row.reason) {
    expect(r).toMatchObject({ ok: false, reason: row.reason });
    if (r.ok) return;
    if (row.code) expect(r.code).toBe(row.code);
    // Every refusal renders in both languages with all its placeholders filled.
    for (const t of [zh, en]) expect(t.t(`errors.${r.code}`, r.params)).not.toMatch(/\{\w+\}/);
    if (row.options) {
      if (r.reason !== 'ambiguous') throw new Error(`expected ambiguous, got ${JSON.stringify(r)}`);
      expect(r.options.map((d) => formatDateTime(d, zone))).toEqual(row.options);
    }
  } else if (row.cron) {
    if (!r.ok || r.kind !== 'recurring') throw new Error(`expected recurring, got ${JSON.stringify(r)}`);
    expect(r.cron).toBe(row.cron);
    expect(r.description).toBe(row.desc);
    // What a reader sees is worded from the cron pattern, in their language.
    expect(describeRule(r.cron, zh)).toBe(row.desc);
    expect(describeRule(r.cron, en)).not.toMatch(/[\u4e00-\u9fff]/);
    expect(formatDateTime(r.firstAt, zone)).toBe(row.first);
  } else {
    if (!r.ok || r.kind !== 'once') throw new Error(`expected once, got ${JSON.stringify(r)}`);
    if (row.at) expect(formatDateTime(r.at, zone)).toBe(row.at);
    if (row.iso) expect(r.at.toISOString()).toBe(row.iso);
    if (row.by !== undefined) expect(r.by).toBe(row.by);
  }
  if (row.rest !== undefined) expect('rest' in r ? r.rest : undefined).toBe(row.rest);
  if (row.matched !== undefined) expect(r.matched).toBe(row.matched);
}

describe.each(MACHINE_ZONES)('machine zone %s', (machineZone) => {
  const saved = process.env.TZ;
  beforeAll(() => {
    process.env.TZ = machineZone;
  });
  afterAll(() => {
    process.env.TZ = saved;
  });

  it('runs in that machine zone', () => {
    const offset = new Date('2026-11-27T00:00:00Z').getTimezoneOffset();
    expect(offset).toBe(machineZone === 'Asia/Shanghai' ? -480 : 480);
  });

  describe('parseTime', () => {
    it.each(rows)('$input (now $now, $zone)', (row) => checkRow(row, parseTime(row.input, optsOf(row))));
  });

  describe('parseTimeRange', () => {
    it.each(rangeRows)('$input', (row) => {
      const r = parseTimeRange(row.input, optsOf(row));
      if (row.reason) {
        expect(r).toMatchObject({ ok: false, reason: row.reason });
        if (row.code && !r.ok) expect(r.code).toBe(row.code);
        return;
      }
      if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r)}`);
      expect(formatDateTime(r.start, SH)).toBe(row.start);
      expect(r.end === null ? null : formatDateTime(r.end, SH)).toBe(row.end);
      expect(r.rest).toBe(row.rest ?? '');
    });
  });
});

describe('the table', () => {
  it('has at least 300 rows, with distinct inputs per reference time', () => {
    expect(rows.length + rangeRows.length).toBeGreaterThanOrEqual(300);
    const keys = rows.map((r) => `${r.input}|${r.now ?? ''}|${r.zone ?? ''}|${r.dayFirst ?? ''}`);
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
  });
});

describe('repeats in the reader\'s language', () => {
  it.each([
    ['0 9 * * *', 'every day 09:00'],
    ['0 18 * * 1-5', 'weekdays 18:00'],
    ['30 9 * * 1,3,5', 'every Monday, Wednesday, Friday 09:30'],
    ['0 10 * * 0,6', 'every Saturday, Sunday 10:00'],
    ['0 10 15 * *', 'monthly on day 15, 10:00'],
  ])('%s -> %s', (cron, english) => {
    expect(describeRule(cron, en)).toBe(english);
  });
});

describe('messages', () => {
  const opts = { now: new Date(NOW), timeZone: SH };

  it('names the matched text and renders Chinese and English', () => {
    expect(parseTime('明天下午3点开会', opts)).toMatchObject({ matched: '明天下午3点' });
    const passed = parseTime('2026-11-27 09:00', opts);
    if (passed.ok) throw new Error('expected a refusal');
    expect(zh.t(`errors.${passed.code}`, passed.params)).toBe('时间已过去：2026-11-27 09:00 早于现在');
    expect(en.t(`errors.${passed.code}`, passed.params)).toBe('That time has passed: 2026-11-27 09:00 is before now');
    const unreadable = parseTime('xxx', opts);
    if (unreadable.ok) throw new Error('expected a refusal');
    expect(zh.t(`errors.${unreadable.code}`, unreadable.params)).toBe('无法识别时间"xxx"，例如：30分钟后、明天下午3点、周五 14:00、12月24日 19:30、每天早上9点');
    expect(parseTime('明天25点', opts)).toMatchObject({ reason: 'invalid', matched: '明天25点' });
  });

  it('names both readings of an ambiguous time and how to write each', () => {
    const r = parseTime('8点 喝水', { now: new Date('2026-11-27T09:00:00+08:00'), timeZone: SH });
    if (r.ok) throw new Error('expected a refusal');
    expect(zh.t(`errors.${r.code}`, r.params)).toBe('「8点」可以是今天 20:00，也可以是明天 08:00。请写明，例如「今天 20:00」或「明天 08:00」');
    expect(en.t(`errors.${r.code}`, r.params)).toBe('"8点" could be today 20:00 or tomorrow 08:00. Please say which, e.g. "today 20:00" or "tomorrow 08:00"');
  });

  it('names the word it could not read', () => {
    const r = parseTime('提醒 下下下下周一 开会', opts);
    if (r.ok) throw new Error('expected a refusal');
    expect(r.params).toMatchObject({ text: '下下下下周一', word: '下下' });
    const after = parseTime('明天下午凌晨', opts);
    if (after.ok) throw new Error('expected a refusal');
    expect(after.params).toMatchObject({ text: '明天下午凌晨', word: '凌晨' });
  });

  it('suggests an hour when a part of day needs one', () => {
    const r = parseTime('后天凌晨 喝水', { now: new Date(NOON), timeZone: SH });
    if (r.ok) throw new Error('expected a refusal');
    expect(zh.t(`errors.${r.code}`, r.params)).toBe('时间"后天凌晨"缺少钟点，请写明几点，例如「后天凌晨 02:00」');
    const example = String(r.params.example);
    expect(parseTime(example, { now: new Date(NOON), timeZone: SH })).toMatchObject({ ok: true, matched: example });
  });

  it('writes each reading of every ambiguous row so that it parses to exactly that reading, in both languages', () => {
    const ambiguous = rows.filter((r) => r.reason === 'ambiguous');
    expect(ambiguous.length).toBeGreaterThanOrEqual(10);
    for (const row of ambiguous) {
      const r = parseTime(row.input, optsOf(row));
      if (r.ok || r.reason !== 'ambiguous') throw new Error(`expected ambiguous: ${row.input}`);
      for (const [i, choice] of r.choices.entries()) {
        for (const t of [zh, en]) {
          const again = parseTime(t.render(choice), optsOf(row));
          if (!again.ok || again.kind !== 'once') throw new Error(`${t.render(choice)} did not parse: ${JSON.stringify(again)}`);
          expect(again.at.getTime()).toBe(r.options[i]!.getTime());
        }
      }
    }
  });
});

describe('formatDateTime', () => {
  it('formats in the given zone, not the machine zone', () => {
    const now = new Date(NOW);
    expect(formatDateTime(now, SH)).toBe('2026-11-27 10:00');
    expect(formatDateTime(now, NY)).toBe('2026-11-26 21:00');
    expect(formatDateTime(now, 'UTC')).toBe('2026-11-27 02:00');
  });
});
