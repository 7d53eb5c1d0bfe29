/**
 * `npm run bench [-- --only commands,reminders] [--quick] [--profile]`: runs every bench, each in
 * its own child process (one bench's memory and CPU do not skew the next), shows their output as
 * it comes, collects the `BENCH_ROW {json}` lines they end with, and prints ONE table: row, goal,
 * figure, baseline measured in the same run, ratio, pass/fail.
 *
 * --quick    smaller sizes (a smoke run; the figures are not the goals' figures)
 * --profile  a CPU profile of each bench and of the app processes it starts (`--cpu-prof`; apps
 *            started through tests/support/app-process.ts get it from HUIWU_BENCH_CPU_PROF_DIR),
 *            written under bench-profiles/<time>/<bench>/; open them in Chrome DevTools or speedscope.
 * Each bench bounds itself; the runner also stops one after BENCH_MAX_MINUTES (30) per bench.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { ROW_PREFIX, type BenchRow } from './support/report.js';

interface Bench {
  name: string;
  file: string;
  args?: string[];
  /** Sizes for --quick of the benches that do not read BENCH_QUICK themselves. */
  quickEnv?: Record<string, string>;
  quickArgs?: string[];
}

const BENCHES: Bench[] = [
  { name: 'commands', file: 'bench/commands.ts' },
  { name: 'reminders', file: 'bench/reminders.ts' },
  { name: 'callback', file: 'bench/wecom-callback.ts', quickEnv: { BENCH_REQUESTS: '500', BENCH_OFFERED_SECONDS: '3' } },
  { name: 'fanout', file: 'bench/fanout.ts', quickEnv: { FANOUT_N: '1000' } },
  { name: 'conflicts', file: 'bench/conflicts.ts', quickEnv: { CONFLICTS_EXECS: '20', CONFLICTS_ITEMS: '300', CONFLICTS_CHANGES: '200' } },
  { name: 'startup', file: 'bench/startup.ts' },
  { name: 'growth', file: 'bench/growth.ts' },
  { name: 'time', file: 'bench/time.ts', quickEnv: { TIME_BENCH_COUNT: '20000' } },
  { name: 'checkin', file: 'bench/checkin.ts', quickArgs: ['--minutes', '0.5'] },
  { name: 'console', file: 'bench/console.ts', quickEnv: { CONSOLE_ATTENDEES: '1000', CONSOLE_ROUNDS: '30' } },
  { name: 'statements', file: 'bench/statements.ts' },
];

const { values: opts } = parseArgs({
  options: { only: { type: 'string' }, quick: { type: 'boolean', default: false }, profile: { type: 'boolean', default: false } },
});
const only = opts.only?.split(',').map((s) => s.trim()).filter(Boolean);
const unknown = only?.filter((n) => !BENCHES.some((b) => b.name === n)) ?? [];
if (unknown.length) {
  console.error(`unknown bench: ${unknown.join(', ')} (known: ${BENCHES.map((b) => b.name).join(', ')})`);
  process.exit(2);
}
const selected = BENCHES.filter((b) => !only || only.includes(b.name));
const MAX_MS = Number(process.env.BENCH_MAX_MINUTES ?? 30) * 60_000;
const profileRoot = opts.profile ? resolve('bench-profiles', new Date().toISOString().replace(/[:.]/g, '-')) : null;

interface Outcome {
  bench: Bench;
  rows: BenchRow[];
  code: number | null;
  seconds: number;
  profiles: Array<{ file: string; role: string; kb: number }>;
}

let current: { kill(signal: NodeJS.Signals): void } | null = null;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    // The bench cleans up its own children and temp folder on SIGTERM.
    current?.kill('SIGTERM');
    setTimeout(() => process.exit(130), 35_000).unref();
  });
}

async function runOne(bench: Bench): Promise<Outcome> {
  const profileDir = profileRoot ? join(profileRoot, bench.name) : null;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const env: Record<string, string | undefined> = { ...process.env, BENCH_QUICK: opts.quick ? '1' : undefined, HUIWU_BENCH_CPU_PROF_DIR: profileDir ?? undefined };
  // --quick sizes fill in only what the caller did not set.
  if (opts.quick) for (const [k, v] of Object.entries(bench.quickEnv ?? {})) env[k] ??= v;
  const args = [...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), '--import', 'tsx', bench.file, ...(bench.args ?? []), ...(opts.quick ? (bench.quickArgs ?? []) : [])];
  const started = Date.now();
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  current = child;
  const rows: BenchRow[] = [];
  for (const [stream, out] of [[child.stdout!, process.stdout], [child.stderr!, process.stderr]] as const) {
    createInterface({ input: stream }).on('line', (line) => {
      if (line.startsWith(ROW_PREFIX)) {
        try {
          rows.push(JSON.parse(line.slice(ROW_PREFIX.length)) as BenchRow);
        } catch {
          out.write(`  [${bench.name}] unreadable row: ${line}\n`);
        }
      } else {
        out.write(`  [${bench.name}] ${line}\n`);
      }
    });
  }
  const limit = setTimeout(() => {
    console.error(`  [${bench.name}] stopped after ${MAX_MS / 60_000} min`);
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 35_000).unref();
  }, MAX_MS);
  const code = await new Promise<number | null>((r) => child.once('exit', (c, signal) => r(c ?? (signal ? 128 : null))));
  clearTimeout(limit);
  current = null;
  const profiles = profileDir
    ? readdirSync(profileDir)
        .filter((f) => f.endsWith('.cpuprofile'))
        .map((f) => ({ file: join(profileDir, f), role: f.includes(`.${child.pid}.`) ? 'bench' : 'app/child', kb: Math.round(statSync(join(profileDir, f)).size / 1024) }))
    : [];
  return { bench, rows, code, seconds: (Date.now() - started) / 1000, profiles };
}

function table(outcomes: Outcome[]): string {
  const header = ['row', 'goal', 'figure', 'baseline (same run)', 'ratio', 'result'];
  const lines: string[][] = [];
  for (const o of outcomes) {
    for (const r of o.rows) lines.push([r.row, r.goal, r.figure, r.baseline, r.ratio == null || !Number.isFinite(r.ratio) ? '—' : `${r.ratio.toFixed(2)}x`, r.pass ? 'pass' : 'FAIL']);
    if (o.rows.length === 0 || o.code !== 0) lines.push([`${o.bench.name} (bench)`, '', `exit ${o.code}`, '', '', o.rows.length ? 'FAIL (bench failed)' : 'FAIL (no rows)']);
  }
  const width = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(width[i]!)).join(' | ')} |`;
  return [fmt(header), `|${width.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(fmt)].join('\n');
}

async function main(): Promise<void> {
  const [l1, l5] = loadavg();
  console.log(`npm run bench: ${selected.map((b) => b.name).join(', ')}${opts.quick ? ' (--quick: smaller sizes)' : ''}${profileRoot ? ' (--profile)' : ''}`);
  console.log(`machine: ${cpus().length} cores, load average ${l1!.toFixed(2)} / ${l5!.toFixed(2)}, Node ${process.versions.node}`);
  // The apps under test run compiled, as `npm start` runs them (tests/support/app-process.ts).
  const buildScript: string = '../scripts/build.mjs';
  const { buildApp } = (await import(buildScript)) as { buildApp(): Promise<number> };
  await buildApp();
  process.env.HUIWU_APP_COMPILED = '1';
  const outcomes: Outcome[] = [];
  for (const bench of selected) {
    console.log(`\n== ${bench.name} (${bench.file}) ==`);
    const outcome = await runOne(bench);
    console.log(`== ${bench.name}: exit ${outcome.code} after ${outcome.seconds.toFixed(0)} s, ${outcome.rows.length} row(s) ==`);
    outcomes.push(outcome);
  }
  const [e1] = loadavg();
  console.log(`\nResults${opts.quick ? ' (--quick sizes: a smoke run, not the goals)' : ''} · load average ${l1!.toFixed(2)} at start, ${e1!.toFixed(2)} at the end`);
  console.log(table(outcomes));
  const notes = outcomes.flatMap((o) => o.rows.filter((r) => r.note).map((r) => `  ${r.row}: ${r.note}`));
  if (notes.length) console.log(`notes:\n${notes.join('\n')}`);
  const limits = outcomes.flatMap((o) => o.rows.filter((r) => !r.pass && r.limit).map((r) => `  ${r.row}: ${r.limit}`));
  if (limits.length) console.log(`measured limits of failing rows (same run):\n${limits.join('\n')}`);
  if (profileRoot) {
    console.log(`\nCPU profiles (${relative(process.cwd(), profileRoot)}/):`);
    for (const o of outcomes) for (const p of o.profiles) console.log(`  ${o.bench.name.padEnd(10)} ${p.role.padEnd(9)} ${String(p.kb).padStart(7)} KB  ${relative(process.cwd(), p.file)}`);
  }
  const failed = outcomes.some((o) => o.code !== 0 || o.rows.length === 0 || o.rows.some((r) => !r.pass));
  process.exitCode = failed ? 1 : 0;
}

void main();
