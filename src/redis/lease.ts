/**
 * A lease in Redis for work that must have one owner at a time among several Huiwu instances
 * (the WeCom bot's long connection, start-up recovery, scheduler registration).
 *
 * - Taken with `SET key owner NX PX ttl`; each take increments a fencing counter, so every holder
 *   has a token larger than every earlier holder's (`token`), and work can check `stillHeld()`.
 * - Renewed every ttl/3 by a script that extends it only while it still names this owner.
 * - Lost when a renewal finds another owner, or when no renewal succeeded for 2/3 of the ttl
 *   (Redis unreachable: given up before the key can expire and another instance take it; every
 *   call is bounded in time, since BullMQ's connection would wait for a reconnect forever).
 *   `onLose` runs then, and the instance keeps trying to take it again.
 * - A dead holder's key expires after at most ttl; the others try every ttl/3, so one takes
 *   over within about 4/3 ttl (15 s by default: under 20 s).
 * - `stop()` deletes the key when still ours, so a clean shutdown hands over at once; a process
 *   restarted after a crash on the same host takes over from its dead predecessor at once (the
 *   value names host and pid, and that pid is gone).
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { RedisClient } from './connection.js';
import { processAlive } from '../process-alive.js';

const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const REPLACE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('set', KEYS[1], ARGV[2], 'PX', ARGV[3]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export interface LeaseOptions {
  /** e.g. `huiwu:lease:coordinator`. */
  key: string;
  ttlMs: number;
  log: Logger;
  /** Runs when the lease is taken, with its fencing token. A throw is logged; the lease is kept. */
  onAcquire: (token: number) => Promise<void> | void;
  /** Runs when the lease is lost or given up. */
  onLose?: () => Promise<void> | void;
  now?: () => number;
}

export class Lease {
  /** The lease value: host, pid and a random part (unique per process and lease). */
  readonly owner = `${hostname()}/${process.pid}/${randomBytes(6).toString('hex')}`;
  private held = false;
  private fence = 0;
  private lastRenewed = 0;
  private timer: NodeJS.Timeout | undefined;
  private busy: Promise<void> = Promise.resolve();
  /** The holder's start-up work: runs beside the renewals, so a long recovery cannot let the lease lapse. */
  private acquiring: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly redis: RedisClient,
    private readonly o: LeaseOptions,
  ) {}

  get holding(): boolean {
    return this.held;
  }

  /** The fencing token of the current hold (0 when not holding). */
  get token(): number {
    return this.held ? this.fence : 0;
  }

  /** Tries once now (the first holder starts its work before `start` resolves), then keeps trying and renewing. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.tick();
    await this.acquiring;
    this.timer = setInterval(() => void this.tick(), Math.max(50, Math.floor(this.o.ttlMs / 3)));
    this.timer.unref();
  }

  /** True when Redis still names this instance the holder (check before an irreversible step). */
  async stillHeld(): Promise<boolean> {
    return this.held && (await this.redis.get(this.o.key)) === this.owner;
  }

  /** Stops trying; releases the lease when held (runs `onLose`). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    // A step waiting for an unreachable Redis must not hold up a shutdown (the key then just expires).
    await bounded(this.busy, 1000).catch(() => undefined);
    if (!this.held) return;
    await this.lose('stopped');
    await bounded(this.redis.eval(RELEASE, 1, this.o.key, this.owner), 1000).catch(() => undefined);
  }

  private tick(): Promise<void> {
    // One step at a time: a slow onAcquire must not overlap the next renewal.
    this.busy = this.busy.then(() => this.step()).catch((err: unknown) => this.o.log.warn({ err, lease: this.o.key }, 'lease step failed'));
    return this.busy;
  }

  private async step(): Promise<void> {
    if (this.stopped) return;
    const now = this.o.now ?? Date.now;
    if (this.held) {
      let renewed = false;
      try {
        // Bounded: with BullMQ's maxRetriesPerRequest null a command waits for a reconnect forever.
        renewed = (await bounded(this.redis.eval(RENEW, 1, this.o.key, this.owner, String(this.o.ttlMs)), this.o.ttlMs / 3)) === 1;
        if (renewed) this.lastRenewed = now();
        else await this.lose('taken by another instance');
      } catch (err) {
        // Redis unreachable: still ours until the ttl has passed since the last renewal.
        // Given up at 2/3 of the ttl, before the key can expire and another instance take it.
        if (now() - this.lastRenewed >= (this.o.ttlMs * 2) / 3) await this.lose('not renewed in time');
        else throw err;
      }
      return;
    }
    const started = now();
    const limit = this.o.ttlMs / 3;
    if ((await bounded(this.redis.set(this.o.key, this.owner, 'PX', this.o.ttlMs, 'NX'), limit)) !== 'OK' && !(await this.replaceDead())) return;
    // Failing here leaves our key to expire (≤ ttl) before the next take.
    this.fence = await bounded(this.redis.incr(`${this.o.key}:fence`), limit);
    this.held = true;
    this.lastRenewed = started;
    this.o.log.info({ lease: this.o.key, token: this.fence }, 'lease taken');
    const token = this.fence;
    this.acquiring = (async () => {
      try {
        await this.o.onAcquire(token);
      } catch (err) {
        this.o.log.error({ err, lease: this.o.key }, 'work under the lease failed to start');
      }
    })();
  }

  /** Takes the lease from a process of this host that no longer exists (a crash, then a restart). */
  private async replaceDead(): Promise<boolean> {
    const holder = await bounded(this.redis.get(this.o.key), this.o.ttlMs / 3);
    const [host, pid] = holder?.split('/') ?? [];
    if (!holder || host !== hostname() || !pid || Number(pid) === process.pid || processAlive(Number(pid))) return false;
    const replaced = await bounded(this.redis.eval(REPLACE, 1, this.o.key, holder, this.owner, String(this.o.ttlMs)), this.o.ttlMs / 3);
    if (replaced === 'OK') this.o.log.info({ lease: this.o.key, previous: holder }, 'lease taken over from a process that is gone');
    return replaced === 'OK';
  }

  private async lose(reason: string): Promise<void> {
    this.held = false;
    // Stop the work only after its start has finished, so nothing started is left running.
    await this.acquiring;
    if (reason === 'stopped') this.o.log.info({ lease: this.o.key }, 'lease released');
    else this.o.log.warn({ lease: this.o.key, reason }, 'lease lost');
    try {
      await this.o.onLose?.();
    } catch (err) {
      this.o.log.error({ err, lease: this.o.key }, 'stopping work under the lease failed');
    }
  }
}


/** `work`, or a rejection after `ms`. */
function bounded<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer from Redis within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
