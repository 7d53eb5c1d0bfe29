/**
 * What every bench prints last: one `BENCH_ROW {json}` line per table row, read by
 * `bench/run-all.ts` (`npm run bench`). The human output above it stays as it is.
 */
import { readFileSync, readdirSync } from 'node:fs';

export const ROW_PREFIX = 'BENCH_ROW ';

export interface BenchRow {
  /** Row name in the table (e.g. `commands p99`). */
  row: string;
  /** The goal as text (e.g. `p99 <= 25 ms`). */
  goal: string;
  /** The measured figure as text, with its unit. */
  figure: string;
  /** The baseline measured in the same run, as text; `—` when the row has none. */
  baseline: string;
  /** figure / baseline (or whatever the row defines, said in `note`); null when there is no baseline. */
  ratio: number | null;
  pass: boolean;
  /** Anything the reader needs to judge the figure (errors, losses, sizes of a quick run). */
  note?: string;
  /**
   * For a row that fails: the floor this machine puts under the figure, measured in the same run
   * (a baseline near or past the goal, the CPU the work needs), and why. Printed
   * under the table; the row still says FAIL.
   */
  limit?: string;
}

export function emitRow(row: BenchRow): void {
  console.log(`${ROW_PREFIX}${JSON.stringify(row)}`);
}

/** `p` in 0..100 of an ascending array (nearest rank); NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const ms = (n: number, digits = 1): string => (Number.isFinite(n) ? `${n.toFixed(digits)} ms` : 'n/a');

/** True when `npm run bench -- --quick` (or BENCH_QUICK=1) asked for the smaller smoke-run sizes. */
export const QUICK = process.env.BENCH_QUICK === '1';

/**
 * CPU time (user + system, ms) the process `pid` has used so far, from /proc. Unlike wall-clock
 * figures it is not inflated when other work shares the machine: per-operation CPU compares
 * across runs on a busy machine.
 */
export function cpuMs(pid: number): number {
  return statCpuMs(`/proc/${pid}/stat`);
}

/**
 * CPU of `pid`'s main thread alone (its JavaScript: the event loop), in ms. Work that must run
 * there cannot finish sooner than this, whatever the other cores do; GC helpers and libuv
 * threads are left out.
 */
export function mainThreadCpuMs(pid: number): number {
  return statCpuMs(`/proc/${pid}/task/${pid}/stat`);
}

function statCpuMs(file: string): number {
  try {
    const fields = readFileSync(file, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

/** `pid` and its descendants (a web process's worker children), from /proc (Linux). */
export function processTree(pid: number): number[] {
  let children: number[] = [];
  try {
    children = readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
    );
  } catch {
    // gone meanwhile
  }
  return [pid, ...children.flatMap(processTree)];
}

/** CPU time (ms) of `pid` and its descendants: an app's worker processes count as the app. */
export function treeCpuMs(pid: number): number {
  return processTree(pid).reduce((sum, p) => sum + cpuMs(p), 0);
}

/** CPU time (ms) the whole machine has spent busy so far, all cores together, from /proc/stat (Linux). */
export function machineBusyMs(): number {
  // cpu  user nice system idle iowait irq softirq steal ...: busy is all but idle and iowait.
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  return (fields.reduce((a, b) => a + b, 0) - fields[3]! - fields[4]!) * 10;
}

/** Resident set size of a process in MB, from /proc (Linux); NaN when it is gone. */
export function rssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
    return kb / 1024;
  } catch {
    return NaN;
  }
}
