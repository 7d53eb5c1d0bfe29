/**
 * The platform send rate (src/queue/send-pacer.ts) against the real test Redis. The slots are
 * checked as Redis hands them out (its clock), so a busy test machine's late timers do not blur them.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { PRIORITY } from '../../src/queue/queues.js';
import { SendPacer } from '../../src/queue/send-pacer.js';
import { connectRedis } from '../../src/redis/connection.js';

const clients = [connectRedis(inject('redisUrl')), connectRedis(inject('redisUrl'))];
afterAll(() => clients.forEach((c) => c.disconnect()));

const RATE = 50;
const INTERVAL = 1000 / RATE;
const pacer = (client = 0) => new SendPacer(clients[client]!, `t${randomBytes(5).toString('hex')}`);

describe('SendPacer', () => {
  it('spaces a backlog from two processes one slot apart, at the rate and no faster', async () => {
    const prefix = `t${randomBytes(5).toString('hex')}`;
    const pacers = clients.map((c) => new SendPacer(c, prefix));
    // 80 sends asked for at once, half through each "process": a backlog of 1.6 s at 50/s.
    const slots = (await Promise.all(Array.from({ length: 80 }, (_, i) => pacers[i % 2]!.reserve('simulator', RATE, PRIORITY.bulk)))).map((s) => s.at);
    slots.sort((a, b) => a - b);
    const gaps = slots.slice(1).map((at, i) => at - slots[i]!);
    // Whole milliseconds of a 20 ms step: each gap is 19-21 ms, and they add up to 79 steps.
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(INTERVAL - 1);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(INTERVAL + 1);
    expect(slots.at(-1)! - slots[0]!).toBeGreaterThanOrEqual(79 * INTERVAL - 1);
  });

  it('waits for its slot', async () => {
    const p = pacer();
    const start = Date.now();
    await Promise.all(Array.from({ length: 10 }, () => p.take('simulator', RATE, PRIORITY.bulk)));
    expect(Date.now() - start).toBeGreaterThanOrEqual(9 * INTERVAL - 2);
  });

  it('gives an urgent send a slot ahead of those bulk sends took, and pushes later ones back', async () => {
    const p = pacer();
    const bulk = Array.from({ length: 30 }, () => p.reserve('simulator', RATE, PRIORITY.bulk));
    // Asked for after the 30 bulk slots (600 ms of them) were taken: one connection keeps the order.
    const urgent = p.reserve('simulator', RATE, PRIORITY.interactive);
    const next = p.reserve('simulator', RATE, PRIORITY.bulk);
    const first = (await bulk[0]!).at;
    expect((await urgent).waitMs).toBe(0);
    // The next bulk slot comes after the 30 bulk slots and the urgent one's, not right after the 30th.
    expect((await next).at - first).toBeGreaterThanOrEqual(31 * INTERVAL - 1);
    expect((await bulk[29]!).at - first).toBeLessThanOrEqual(29 * INTERVAL + 1);
  });

  it('keeps urgent sends to the rate too when they alone are a flood', async () => {
    const p = pacer();
    const slots = (await Promise.all(Array.from({ length: 20 }, () => p.reserve('simulator', RATE, PRIORITY.urgent)))).map((s) => s.at);
    expect(Math.max(...slots) - Math.min(...slots)).toBeGreaterThanOrEqual(19 * INTERVAL - 1);
  });
});
