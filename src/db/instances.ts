/**
 * Which Huiwu processes use a database file: each running app registers a marker file
 * `<db>.instances/<pid>-<random>` and removes it when it closes. `npm run db:restore` refuses to
 * replace a database while a marker names a live process (a marker left by a killed process is
 * ignored: its pid is gone).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { processAlive } from '../process-alive.js';

const folderOf = (dbFile: string) => `${dbFile}.instances`;

/** Registers this process as a user of `dbFile`; returns the function that unregisters it. */
export function registerInstance(dbFile: string): () => void {
  if (dbFile === ':memory:') return () => undefined;
  const folder = folderOf(dbFile);
  mkdirSync(folder, { recursive: true });
  const marker = join(folder, `${process.pid}-${randomBytes(4).toString('hex')}`);
  writeFileSync(marker, `${new Date().toISOString()}\n`);
  return () => rmSync(marker, { force: true });
}

/** Pids of live processes registered on `dbFile`. */
export function liveInstances(dbFile: string): number[] {
  let names: string[];
  try {
    names = readdirSync(folderOf(dbFile));
  } catch {
    return [];
  }
  return [...new Set(names.map((n) => Number(n.split('-')[0])).filter((pid) => Number.isInteger(pid) && pid > 0 && processAlive(pid)))];
}

