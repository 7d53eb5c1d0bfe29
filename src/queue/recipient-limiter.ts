/**
 * Per-recipient send limit in Redis, shared by every worker process. WeCom silently drops more
 * than 30 messages a minute to one member (and 200 per member in a group chat), so we hold the
 * excess back instead of losing it. Fixed one-minute windows: simple, and never over the limit
 * within a window. The caller passes the limit that applies to the recipient.
 */
import type { RedisClient } from '../redis/connection.js';

export class RecipientLimiter {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  /** Takes one slot for `recipient`; returns 0 when sending may go ahead, else ms to wait. */
  async reserve(platform: string, recipient: string, perMinute: number): Promise<number> {
    const now = Date.now();
    const window = Math.floor(now / 60_000);
    const key = `${this.prefix}:rate:${platform}:${recipient}:${window}`;
    // One round trip per send: the count and its expiry (set once, NX) in one transaction.
    const replies = await this.redis.multi().incr(key).pexpire(key, 61_000, 'NX').exec();
    const [error, count] = replies?.[0] ?? [new Error('rate window transaction discarded'), 0];
    if (error) throw error;
    if ((count as number) <= perMinute) return 0;
    await this.redis.decr(key);
    return (window + 1) * 60_000 - now + Math.floor(Math.random() * 250);
  }
}
