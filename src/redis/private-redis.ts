/**
 * A private redis-server for when REDIS_URL is not set: AOF on (fsync every second), no eviction
 * (BullMQ must never lose keys), data under `<dataDir>`, listening on a unix socket only, so it
 * cannot clash with another Redis or another Huiwu's port.
 *
 * Several Huiwu processes on one data folder (a second `npm start` on another PORT) share it:
 * each registers a heartbeat, and the last one to stop shuts Redis down. A Redis left behind by a
 * crashed run is simply adopted.
 *
 * Each process also watches it: when nothing listens on the socket any more (Redis was killed),
 * it is started again on the same socket and AOF, under the start-up lock so that two watchers
 * never start two servers on one data folder. The AOF is rewritten once it doubles past 8 MB, so
 * the file stays proportional to the live data rather than to the history of writes.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { processAlive } from '../process-alive.js';

export interface PrivateRedis {
  /** `unix://<socket path>`, accepted by `redisOptions`. */
  url: string;
  /** Stops restarting a dead server (at the start of a shutdown). */
  stopWatching(): void;
  /** Stops watching, unregisters this process; shuts Redis down when no other process uses it. */
  release(): Promise<void>;
}

export interface PrivateRedisOptions {
  /** `always`: a write acknowledged by Redis survives `kill -9` of Redis; `everysec` may lose the last second. */
  appendfsync?: 'always' | 'everysec';
  /** How often the watcher looks for a dead server, in ms (0: no watcher). Default 1000. */
  watchMs?: number;
}

/** Settings applied at start and to an adopted server (which may come from an older version). */
function settings(appendfsync: 'always' | 'everysec'): Array<[string, string]> {
  return [
    ['appendonly', 'yes'],
    ['appendfsync', appendfsync],
    ['maxmemory-policy', 'noeviction'],
    // Redis's default rewrites only past 64 MB; the queue's history of writes would grow the AOF
    // to that size long before the live data does.
    ['auto-aof-rewrite-percentage', '100'],
    ['auto-aof-rewrite-min-size', '8mb'],
  ];
}

const INSTANCES_KEY = 'huiwu:private-redis:instances';
const HEARTBEAT_MS = 10_000;

export function redisServerBinary(): string | null {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : null;
}

/** Unix socket paths are limited to ~107 bytes; long project paths fall back to the temp folder. */
export function socketPathFor(dataDir: string): string {
  const preferred = join(dataDir, 'redis.sock');
  if (Buffer.byteLength(preferred) < 100) return preferred;
  const hash = createHash('sha1').update(dataDir).digest('hex').slice(0, 12);
  return join(tmpdir(), `huiwu-redis-${hash}.sock`);
}

export async function startPrivateRedis(dataDirInput: string, log: (line: string) => void, options: PrivateRedisOptions = {}): Promise<PrivateRedis> {
  const dataDir = resolve(dataDirInput);
  const appendfsync = options.appendfsync ?? 'always';
  mkdirSync(dataDir, { recursive: true });
  const socket = socketPathFor(dataDir);
  const started = await ensureRunning(dataDir, socket, appendfsync);
  log(started ? `private Redis started (socket ${socket}, data ${dataDir})` : `private Redis already running (socket ${socket}); using it`);

  const client = new Redis({ path: socket, lazyConnect: false, maxRetriesPerRequest: 1 });
  // After our own SHUTDOWN the socket disappears; reconnect errors are expected then.
  client.on('error', () => undefined);
  try {
    // An adopted server may have been started with other settings (or by an older version).
    for (const [key, value] of settings(appendfsync)) await client.config('SET', key, value);
  } catch (error) {
    client.disconnect();
    throw error;
  }
  const member = `${process.pid}-${Date.now()}`;
  const beat = () => client.zadd(INSTANCES_KEY, Date.now(), member);
  await beat();
  const timer = setInterval(() => void beat().catch(() => undefined), HEARTBEAT_MS);
  timer.unref();

  // The watcher: a server that died (kill -9, OOM killer) is started again on the same AOF.
  let watching = (options.watchMs ?? 1000) > 0;
  /** The check in progress: a shutdown waits for it, so a restart cannot outlive the release. */
  let checking: Promise<void> | null = null;
  const check = async () => {
    try {
      if ((await probe(socket)) !== 'down' || !watching) return;
      log(`private Redis is not running (socket ${socket}); starting it again`);
      if (await ensureRunning(dataDir, socket, appendfsync, () => watching)) log(`private Redis restarted (socket ${socket}, data ${dataDir})`);
    } catch (error) {
      log(`private Redis could not be restarted: ${(error as Error).message}`);
    } finally {
      checking = null;
    }
  };
  const watch = () => {
    if (watching && !checking && client.status !== 'ready') checking = check();
  };
  const watcher = watching ? setInterval(watch, options.watchMs ?? 1000) : null;
  watcher?.unref();

  const stopWatching = () => {
    watching = false;
    if (watcher) clearInterval(watcher);
  };
  return {
    url: `unix://${socket}`,
    stopWatching,
    async release() {
      stopWatching();
      await checking;
      clearInterval(timer);
      try {
        await client.zrem(INSTANCES_KEY, member);
        await client.zremrangebyscore(INSTANCES_KEY, 0, Date.now() - 3 * HEARTBEAT_MS);
        // Instances that crashed recently still have a fresh heartbeat; their pid tells.
        for (const other of await client.zrange(INSTANCES_KEY, '0', '-1')) {
          if (!processAlive(Number(String(other).split("-")[0]))) await client.zrem(INSTANCES_KEY, String(other));
        }
        if ((await client.zcard(INSTANCES_KEY)) === 0) {
          // SHUTDOWN flushes the AOF; the connection drops as Redis exits.
          await client.call('SHUTDOWN').catch(() => undefined);
          log('private Redis stopped');
        }
      } catch (error) {
        // Killed under us: there is nothing left to stop.
        if ((await probe(socket)) !== 'down') throw error;
        log('private Redis was not running; nothing to stop');
      } finally {
        client.disconnect();
      }
    },
  };
}


/**
 * Starts the server unless one answers on the socket; true when this call started it. `wanted`
 * is asked again once the lock is held (a watcher that was told to stop meanwhile starts nothing).
 */
async function ensureRunning(dataDir: string, socket: string, appendfsync: 'always' | 'everysec', wanted: () => boolean = () => true): Promise<boolean> {
  const unlock = await lock(join(dataDir, 'start.lock'));
  try {
    if (!wanted()) return false;
    // `unknown` (busy loading its AOF, slow to answer) is a server: a second one must not start.
    if ((await probe(socket)) !== 'down') {
      await waitUntilUp(socket);
      return false;
    }
    const binary = redisServerBinary();
    if (!binary) {
      throw new Error('redis-server is not installed: run `npm start` (it installs Debian\'s redis-server as root) or `apt-get install redis-server`, or set REDIS_URL');
    }
    spawnRedis(binary, dataDir, socket, appendfsync);
    await waitUntilUp(socket);
    return true;
  } finally {
    unlock();
  }
}

function spawnRedis(binary: string, dataDir: string, socket: string, appendfsync: 'always' | 'everysec'): void {
  if (existsSync(socket)) unlinkSync(socket);
  const child = spawn(
    binary,
    [
      '--port', '0',
      '--unixsocket', socket,
      '--unixsocketperm', '700',
      '--dir', dataDir,
      ...settings(appendfsync).flatMap(([key, value]) => [`--${key}`, value]),
      '--save', '',
      '--daemonize', 'no',
      '--logfile', join(dataDir, 'redis.log'),
    ],
    // Its own process group: Ctrl-C on the app must not kill Redis before the app has drained.
    { detached: true, stdio: 'ignore' },
  );
  child.unref();
}

/**
 * `up`: answers PING. `down`: nothing listens on the socket (no file, or connection refused), so
 * a server may be started. `unknown`: something is there but not answering (loading, busy).
 */
async function probe(socket: string): Promise<'up' | 'down' | 'unknown'> {
  if (!existsSync(socket)) return 'down';
  const client = new Redis({ path: socket, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 });
  // connect() rejects with a generic "Connection is closed"; the socket's own error has the code.
  let socketError: NodeJS.ErrnoException | null = null;
  client.on('error', (error: NodeJS.ErrnoException) => {
    socketError ??= error;
  });
  try {
    await client.connect();
    return (await client.ping()) === 'PONG' ? 'up' : 'unknown';
  } catch {
    const code = (socketError as NodeJS.ErrnoException | null)?.code;
    return code === 'ECONNREFUSED' || code === 'ENOENT' ? 'down' : 'unknown';
  } finally {
    client.disconnect();
  }
}

async function ping(socket: string): Promise<boolean> {
  return (await probe(socket)) === 'up';
}

async function waitUntilUp(socket: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await ping(socket)) return;
    await sleep(100);
  }
  throw new Error(`private Redis did not start within 10 s (see redis.log next to ${socket})`);
}

/** A start-up lock so two processes starting at once do not both spawn Redis. */
async function lock(path: string): Promise<() => void> {
  for (let i = 0; i < 200; i++) {
    try {
      const fd = openSync(path, 'wx');
      closeSync(fd);
      return () => {
        if (existsSync(path)) unlinkSync(path);
      };
    } catch {
      // A lock older than 30 s belongs to a crashed start.
      if (existsSync(path) && Date.now() - statSync(path).mtimeMs > 30_000) unlinkSync(path);
      await sleep(100);
    }
  }
  throw new Error(`could not take the Redis start-up lock ${path}`);
}
