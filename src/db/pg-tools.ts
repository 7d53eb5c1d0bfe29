/**
 * PostgreSQL's own backup tools, for backups and restores when DATABASE_URL is PostgreSQL:
 * `pg_dump` in its custom format (one snapshot transaction, so the copy is consistent while the
 * app keeps writing) and `pg_restore` into a database of stopped instances.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { postgresBinDir } from './private-postgres.js';

/** The binary from Debian's server folder when there, else the PATH's. */
function tool(name: 'pg_dump' | 'pg_restore'): string {
  const dir = postgresBinDir();
  return dir && existsSync(path.join(dir, name)) ? path.join(dir, name) : name;
}

function run(name: 'pg_dump' | 'pg_restore', args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool(name), args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (err) => reject(new Error(`${name} could not run (${err.message}): install Debian's postgresql-client`)));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${name} failed (exit ${code}): ${stderr.trim().slice(0, 500)}`))));
  });
}

export function pgDump(databaseUrl: string, file: string): Promise<void> {
  return run('pg_dump', ['--format=custom', '--no-owner', '--no-privileges', `--file=${file}`, `--dbname=${databaseUrl}`]);
}

/** Checks that `file` is a pg_dump archive without touching any database. */
export function pgArchiveCheck(file: string): Promise<void> {
  return run('pg_restore', ['--list', file]);
}

/** Replaces the contents of the database with the archive's, in one transaction. */
export function pgRestore(databaseUrl: string, file: string): Promise<void> {
  return run('pg_restore', ['--clean', '--if-exists', '--no-owner', '--no-privileges', '--single-transaction', `--dbname=${databaseUrl}`, file]);
}
