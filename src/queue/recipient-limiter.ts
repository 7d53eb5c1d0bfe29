/**
 * Per-recipient send limit in Redis, shared by every worker process. WeCom silently drops more
 * than 30 messages a minute to one member, so we hold the excess back instead of losing it.
 * Fixed one-minute windows: simple, and never over the limit within a window.
 */
import type { Redis } from 'ioredis';

export class RecipientLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly perMinute: number,
  ) {}

  /** Takes one slot for `recipient`; returns 0 when sending may go ahead, else ms to wait. */
  async reserve(platform: string, recipient: string): Promise<number> {
    const now = Date.now();
    const window = Math.floor(now / 60_000);
    const key = `${this.prefix}:rate:${platform}:${recipient}:${window}`;
    const count = await this.redis.incr(key);
    if (count === 1) await this.redis.pexpire(key, 61_000);
    if (count <= this.perMinute) return 0;
    await this.redis.decr(key);
    return (window + 1) * 60_000 - now + Math.floor(Math.random() * 250);
  }
}
