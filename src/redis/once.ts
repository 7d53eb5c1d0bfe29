/**
 * Single-use keys in Redis, shared by every instance: `claim` is true the first time a key is
 * seen within its time to live (SET NX PX), so a captured signed request cannot be played again,
 * not even against another instance or after a restart.
 */
import type { RedisClient } from './connection.js';

export interface OnceLedger {
  /** True the first time `key` is claimed within `ttlMs`. */
  claim(key: string, ttlMs: number): Promise<boolean>;
  /** Gives a claim back (the request it guarded was not accepted, so its retry must pass). */
  release(key: string): Promise<void>;
}

export class RedisOnceLedger implements OnceLedger {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  async claim(key: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(`${this.prefix}:once:${key}`, '1', 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX')) === 'OK';
  }

  async release(key: string): Promise<void> {
    await this.redis.del(`${this.prefix}:once:${key}`);
  }
}

/** In-process ledger, for an adapter used without Redis (unit tests). */
export class MemoryOnceLedger implements OnceLedger {
  private readonly seen = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  async claim(key: string, ttlMs: number): Promise<boolean> {
    const now = this.now();
    for (const [k, until] of this.seen) if (until <= now) this.seen.delete(k);
    if (this.seen.has(key)) return false;
    this.seen.set(key, now + ttlMs);
    return true;
  }

  async release(key: string): Promise<void> {
    this.seen.delete(key);
  }
}
