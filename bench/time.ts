/**
 * `npm run bench:time`: how long the time parser takes per expression.
 *
 * Parses TIME_BENCH_COUNT (100,000) expressions: four in five are what people type (the typical
 * forms, with varied numbers and reminder texts), one in five random time-ish strings from the fuzz
 * generator; every fourth also as a range. Each expression is timed on its own; prints p50, p99, max
 * and the mean (and the CPU time, which a busy machine does not inflate), how many were accepted, asked about or refused, and that nothing threw. Figures only,
 * nothing is asserted (the target is p99 <= 0.2 ms).
 */
import { loadavg } from 'node:os';
import { parseTime, parseTimeRange, type ParseOptions } from '../src/time/parse-time.js';
import { TYPICAL, fuzzInput, random } from '../tests/support/time-fuzz.js';
import { emitRow } from './support/report.js';

const COUNT = Number(process.env.TIME_BENCH_COUNT ?? 100_000);
const WARMUP = 5_000;
const TEXTS = ['喝水', '开会', '交材料', 'call mom', '', '提交会议材料给王芳', 'standup'];
const ZONES = ['Asia/Shanghai', 'America/New_York'];

const next = random(42);

function typical(i: number): string {
  const base = TYPICAL[i % TYPICAL.length]!;
  const varied = base.replace(/\d+/, (n) => String((Number(n) + (i % 5)) % 60 || 1));
  return `${varied} ${TEXTS[i % TEXTS.length]}`.trim();
}

const inputs = Array.from({ length: COUNT }, (_, i) => (i % 5 === 4 ? fuzzInput(next) : typical(i)));
const optionsOf = (i: number): ParseOptions => ({
  now: new Date(Date.UTC(2026, 10, 27, 2) + (i % 97) * 3_600_000),
  timeZone: ZONES[i % ZONES.length]!,
});

function run(i: number): string {
  const r = parseTime(inputs[i]!, optionsOf(i));
  if (i % 4 === 0) parseTimeRange(inputs[i]!, optionsOf(i));
  return r.ok ? 'accepted' : r.reason === 'ambiguous' ? 'asked' : 'refused';
}

for (let i = 0; i < WARMUP; i++) run(i % COUNT);

const times = new Float64Array(COUNT);
const outcomes: Record<string, number> = { accepted: 0, asked: 0, refused: 0 };
let threw = 0;
const cpuBefore = process.cpuUsage();
const started = performance.now();
for (let i = 0; i < COUNT; i++) {
  const t0 = performance.now();
  try {
    const outcome = run(i);
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
  } catch (e) {
    threw++;
    if (threw <= 3) console.error(`threw on ${JSON.stringify(inputs[i])}:`, e);
  }
  times[i] = performance.now() - t0;
}
const total = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);

const sorted = [...times].sort((a, b) => a - b);
const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const ms = (n: number): string => `${n.toFixed(4)} ms`;

console.log(`time parser: ${COUNT.toLocaleString('en')} expressions (${(COUNT / 5).toLocaleString('en')} random, a quarter also as ranges)`);
console.log(`  per expression: p50 ${ms(at(0.5))}, p99 ${ms(at(0.99))}, max ${ms(sorted.at(-1)!)}, mean ${ms(total / COUNT)}`);
console.log(`  CPU time per expression: ${ms((cpu.user + cpu.system) / 1000 / COUNT)} (wall-clock figures include waiting for a busy CPU: load average ${loadavg()[0]!.toFixed(1)})`);
console.log(`  outcomes: ${outcomes.accepted} accepted, ${outcomes.asked} asked (ambiguous), ${outcomes.refused} refused`);
console.log(`  threw: ${threw}`);

// Baseline: the cheapest thing that looks at every expression (a lower-cased copy and one regex), same inputs, timed the same way.
const baseTimes = new Float64Array(COUNT);
let sink = 0;
for (let i = 0; i < COUNT; i++) {
  const t0 = performance.now();
  sink += /\d+/.exec(inputs[i]!.toLowerCase())?.index ?? 0;
  baseTimes[i] = performance.now() - t0;
}
const baseSorted = [...baseTimes].sort((a, b) => a - b);
const baseP99 = baseSorted[Math.min(COUNT - 1, Math.floor(0.99 * COUNT))]!;
console.log(`  baseline (lower-case + one regex per expression): p99 ${ms(baseP99)} (${sink > -1 ? 'ok' : ''})`);
emitRow({
  row: 'time parser p99',
  goal: 'p99 <= 0.2 ms',
  figure: ms(at(0.99)),
  baseline: `${ms(baseP99)} (lower-case + regex)`,
  ratio: at(0.99) / baseP99,
  pass: at(0.99) <= 0.2 && threw === 0,
  note: `${COUNT} expressions, ${threw} threw`,
});
