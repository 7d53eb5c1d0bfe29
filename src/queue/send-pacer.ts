/**
 * A platform's send rate as evenly spaced slots on one timeline in Redis, shared by every worker
 * process: each send takes the next free slot and waits for it (GCRA, the "virtual scheduling"
 * form). Why not BullMQ's limiter alone: it counts jobs in fixed windows that start at the first
 * job of each window, so every window began a few ms after the last one ended (the worker's
 * timer, a Redis round trip, whatever held the event loop), and those gaps cost 5-10% of the rate
 * on the fan-out bench. A slot here is a point on a timeline that does not move when one send is
 * late, so a backlog goes out at the full rate, and no second ever holds more than the rate plus
 * the few slots taken by urgent sends (below).
 *
 * Urgent sends (replies, reminders: `PRIORITY.interactive` or higher) do not queue behind the
 * slots that bulk sends already took: they have a timeline of their own at the same rate, and
 * each pushes the shared one back by a slot, so over time they still share the rate.
 */
import type { RedisClient } from '../redis/connection.js';
import { PRIORITY } from './queues.js';

// KEYS[1]: a hash of the two timelines (one key: a Redis Cluster runs a script on one slot's keys).
// ARGV: ms between slots, 1 when urgent. Returns the slot (ms, Redis clock, so every process
// agrees) and how many ms from now it is.
const TAKE_SLOT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local shared = math.max(tonumber(redis.call('HGET', KEYS[1], 'shared') or '0'), now)
local slot = shared
if ARGV[2] == '1' then
  slot = math.max(tonumber(redis.call('HGET', KEYS[1], 'urgent') or '0'), now)
  redis.call('HSET', KEYS[1], 'urgent', tostring(slot + interval))
end
redis.call('HSET', KEYS[1], 'shared', tostring(shared + interval))
redis.call('PEXPIRE', KEYS[1], math.ceil(shared + interval - now) + 60000)
return {math.floor(slot), math.floor(slot - now)}
`;

export class SendPacer {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  /** Takes the next send slot of `platform` at `perSecond` and resolves when it has come. */
  async take(platform: string, perSecond: number, priority: number | undefined): Promise<void> {
    const { waitMs } = await this.reserve(platform, perSecond, priority);
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
  }

  /** Takes the next send slot without waiting for it: when it is (`at`, Redis clock) and how far off. */
  async reserve(platform: string, perSecond: number, priority: number | undefined): Promise<{ at: number; waitMs: number }> {
    const urgent = priority !== undefined && priority <= PRIORITY.interactive;
    const [at, waitMs] = (await this.redis.eval(TAKE_SLOT, 1, `${this.prefix}:pace:${platform}`, String(1000 / perSecond), urgent ? '1' : '0')) as [number, number];
    return { at, waitMs };
  }
}
