/**
 * A private PostgreSQL cluster for tests and benchmarks, started the way the private Redis is:
 * Debian's server binaries (`/usr/lib/postgresql/<version>/bin`), a cluster under a folder of
 * ours, a free port on 127.0.0.1, trust authentication for the one local user `huiwu`. As root
 * the server runs as the `postgres` user (it refuses to run as root). Tuned for throwaway data
 * (no fsync): never use it for data that matters.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import pg from 'pg';

export interface PrivatePostgres {
  /** Superuser URL of the maintenance database (`postgres`). */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** The folder of `initdb` and `postgres`: $PG_BIN, Debian's newest, or the PATH. */
export function postgresBinDir(): string | undefined {
  if (process.env.PG_BIN && existsSync(path.join(process.env.PG_BIN, 'initdb'))) return process.env.PG_BIN;
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const versions = readdirSync(base).filter((v) => existsSync(path.join(base, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return path.join(base, versions[0], 'bin');
  }
  const onPath = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).stdout.trim();
  return onPath ? path.dirname(onPath) : undefined;
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** Runs a server binary, as `postgres` when we are root. */
function asServerUser(bin: string, args: string[]): [string, string[]] {
  return isRoot() ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilReady(url: string, child: ChildProcess, logFile: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`postgres exited with code ${child.exitCode}; see ${logFile}`);
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (err) {
      lastError = err;
    } finally {
      await client.end().catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`postgres did not accept connections within ${timeoutMs} ms (${String(lastError)}); see ${logFile}`);
}

/** Initialises (once) and starts a cluster under `folder`; the data is kept between runs. */
export async function startPrivatePostgres(folder: string): Promise<PrivatePostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL server binaries not found: install Debian\'s "postgresql" package (apt-get install postgresql) or set PG_BIN');
  const dataDir = path.resolve(folder, 'cluster');
  const socketDir = path.resolve(folder, 'socket');
  const logFile = path.resolve(folder, 'postgres.log');
  mkdirSync(folder, { recursive: true });
  mkdirSync(socketDir, { recursive: true });
  if (isRoot()) {
    const { uid, gid } = postgresIds();
    for (const p of [path.resolve(folder), socketDir]) chownSync(p, uid, gid);
  }
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    rmSync(dataDir, { recursive: true, force: true });
    const [cmd, args] = asServerUser(path.join(bin, 'initdb'), ['-D', dataDir, '-U', 'huiwu', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']);
    const init = spawnSync(cmd, args, { encoding: 'utf8' });
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
  }
  const port = await freePort();
  const [cmd, args] = asServerUser(path.join(bin, 'postgres'), [
    '-D', dataDir, '-p', String(port), '-k', socketDir, '-c', 'listen_addresses=127.0.0.1',
    '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=300',
    '-c', `log_directory=${path.dirname(logFile)}`, '-c', 'logging_collector=off',
  ]);
  const child = spawn(cmd, args, { stdio: 'ignore' });
  const url = `postgresql://huiwu@127.0.0.1:${port}/postgres`;
  await waitUntilReady(url, child, logFile);
  return {
    url,
    port,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      // SIGINT: PostgreSQL's "fast" shutdown (disconnect clients, checkpoint, exit). Sent to the
      // postmaster itself: runuser does not pass signals on.
      const pid = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      process.kill(Number.isInteger(pid) && pid > 0 ? pid : child.pid!, 'SIGINT');
      await exited;
    },
  };
}

function postgresIds(): { uid: number; gid: number } {
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const uid = id('-u');
  if (!Number.isInteger(uid) || uid <= 0) throw new Error('Running as root needs the "postgres" user (created by Debian\'s postgresql package)');
  return { uid, gid: id('-g') };
}
