/**
 * Fuzzing the time parser with a few hundred thousand random time-ish strings (seeded): it never
 * throws, and whatever it accepts is a real instant ahead of now and within the horizon; whatever it
 * refuses has a catalogue message with every placeholder filled.
 */
import { describe, expect, it } from 'vitest';
import { translator } from '../../src/i18n/translator.js';
import { HORIZON_YEARS, parseTime, parseTimeRange, type ParseOptions, type TimeFailure } from '../../src/time/parse-time.js';
import { fuzzInput, random } from '../support/time-fuzz.js';

const STRINGS = 200_000;
const ZONES = ['Asia/Shanghai', 'America/New_York', 'UTC', 'Asia/Kolkata', 'Australia/Lord_Howe'];
const NOWS = ['2026-11-27T10:00:00Z', '2026-03-08T06:59:30Z', '2027-02-28T23:59:59Z', '2026-12-31T16:00:00Z', '2030-06-15T04:30:00Z'].map((s) => new Date(s));
const HORIZON_MS = (HORIZON_YEARS * 366 + 2) * 86_400_000;
const translators = [translator('zh-CN', 'Asia/Shanghai'), translator('en', 'Asia/Shanghai')];

function problemWith(at: Date, opts: ParseOptions): string | null {
  const t = at.getTime();
  if (!Number.isFinite(t)) return 'invalid date';
  if (t <= opts.now.getTime()) return 'not ahead of now';
  if (t > opts.now.getTime() + HORIZON_MS) return 'beyond the horizon';
  return null;
}

function refusalProblem(r: TimeFailure, checkText: boolean): string | null {
  if (!/^E_TIME_[A-Z_]+$/.test(r.code)) return `bad code ${r.code}`;
  if (checkText) {
    for (const t of translators) {
      const text = t.t(`errors.${r.code}`, r.params);
      if (text === `errors.${r.code}` || /\{\w+\}/.test(text)) return `message ${text}`;
    }
  }
  return null;
}

describe('time parser fuzz', () => {
  it(`survives ${STRINGS.toLocaleString('en')} random strings`, () => {
    const next = random(20261127);
    const failures: string[] = [];
    let accepted = 0;
    let ambiguous = 0;
    const note = (input: string, opts: ParseOptions, problem: string | null) => {
      if (problem && failures.length < 20) failures.push(`${JSON.stringify(input)} at ${opts.now.toISOString()} ${opts.timeZone}: ${problem}`);
    };
    for (let i = 0; i < STRINGS; i++) {
      const input = fuzzInput(next);
      const opts: ParseOptions = { now: NOWS[i % NOWS.length]!, timeZone: ZONES[(i >> 3) % ZONES.length]!, dayFirst: i % 7 === 0 };
      try {
        const r = parseTime(input, opts);
        if (r.ok) {
          accepted++;
          note(input, opts, problemWith(r.kind === 'once' ? r.at : r.firstAt, opts));
          if (!input.includes(r.matched) && !r.matched.includes('\uFFFD')) note(input, opts, `matched ${r.matched} is not in the input`);
        } else {
          note(input, opts, refusalProblem(r, i % 10 === 0));
          if (r.reason === 'ambiguous') {
            ambiguous++;
            const [a, b] = r.options;
            note(input, opts, problemWith(a, opts) ?? problemWith(b, opts) ?? (a.getTime() < b.getTime() ? null : 'options out of order'));
          }
        }
        if (i % 3 === 0) {
          const range = parseTimeRange(input, opts);
          if (range.ok) {
            note(input, opts, problemWith(range.start, opts));
            if (range.end) note(input, opts, problemWith(range.end, opts) ?? (range.end > range.start ? null : 'end before start'));
          } else {
            note(input, opts, refusalProblem(range, false));
          }
        }
      } catch (e) {
        note(input, opts, `threw ${(e as Error).stack ?? String(e)}`);
      }
    }
    expect(failures).toEqual([]);
    // The generator must reach the interesting paths, not only refusals.
    expect(accepted).toBeGreaterThan(STRINGS / 20);
    expect(ambiguous).toBeGreaterThan(100);
  });
});
