/** The Redis lease on single-owner work (src/redis/lease.ts), against the real test Redis. */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { connectRedis } from '../../src/redis/connection.js';
import { Lease } from '../../src/redis/lease.js';

const redis = connectRedis(inject('redisUrl'));
const log = pino({ level: 'silent' });
const leases: Lease[] = [];

afterAll(async () => {
  for (const lease of leases) await lease.stop();
  redis.disconnect();
});

function lease(key: string, ttlMs: number, client = redis) {
  const events: string[] = [];
  let acquired!: (token: number) => void;
  let lost!: () => void;
  const taken = new Promise<number>((resolve) => (acquired = resolve));
  const gone = new Promise<void>((resolve) => (lost = resolve));
  const l = new Lease(client, {
    key,
    ttlMs,
    log,
    onAcquire: (token) => {
      events.push(`acquire ${token}`);
      acquired(token);
    },
    onLose: () => {
      events.push('lose');
      lost();
    },
  });
  leases.push(l);
  return { l, events, taken, gone };
}

const newKey = () => `t${randomBytes(5).toString('hex')}:lease:test`;

describe('Lease', () => {
  it('has one holder; a clean stop hands over with a larger fencing token', async () => {
    const key = newKey();
    const first = lease(key, 1000);
    const second = lease(key, 1000);
    await first.l.start();
    await second.l.start();
    expect(first.l.holding).toBe(true);
    expect(second.l.holding).toBe(false);
    expect(await first.l.stillHeld()).toBe(true);
    const firstToken = await first.taken;

    await first.l.stop();
    expect(first.events).toEqual([`acquire ${firstToken}`, 'lose']);
    expect(await second.taken).toBe(firstToken + 1);
    expect(second.l.holding).toBe(true);
  });

  it('is taken over after a holder on another host stops renewing (its key expires)', async () => {
    const key = newKey();
    await redis.set(key, 'elsewhere/1/dead', 'PX', 600);
    const heir = lease(key, 600);
    const waitingSince = Date.now();
    await heir.l.start();
    expect(heir.l.holding).toBe(false);
    await heir.taken;
    // Expiry (≤ 600 ms) plus at most one attempt interval (200 ms).
    expect(Date.now() - waitingSince).toBeLessThan(600 + 200 + 300);
  });

  it('is taken at once from a process of this host that is gone (restart after a crash)', async () => {
    const key = newKey();
    await redis.set(key, `${hostname()}/2147483646/dead`, 'PX', 60_000);
    const restarted = lease(key, 60_000);
    await restarted.l.start();
    expect(restarted.l.holding).toBe(true);
    expect(await redis.get(key)).toBe(restarted.l.owner);
  });

  it('tells its holder when another instance owns the key (it must stop the work)', async () => {
    const key = newKey();
    const holder = lease(key, 600);
    await holder.l.start();
    await holder.taken;
    await redis.set(key, 'elsewhere/1/usurper', 'PX', 60_000);
    await holder.gone;
    expect(holder.l.holding).toBe(false);
    expect(await holder.l.stillHeld()).toBe(false);
  });

  it('gives the work up before its key can expire when Redis cannot be reached', async () => {
    const own = connectRedis(inject('redisUrl'));
    const holder = lease(newKey(), 600, own);
    await holder.l.start();
    await holder.taken;
    const cutAt = Date.now();
    own.disconnect();
    await holder.gone;
    // At 2/3 of the ttl since the last renewal: before the key (600 ms) expires for the others.
    expect(Date.now() - cutAt).toBeLessThan(600);
    expect(holder.l.holding).toBe(false);
  });
});
