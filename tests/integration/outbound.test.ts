/**
 * The outbound queue: urgent notifications overtake a bulk backlog, and the per-recipient
 * limit holds messages back instead of letting the platform drop them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { QueueEvents, UnrecoverableError, Worker } from 'bullmq';
import { PRIORITY, QUEUE_NAMES } from '../../src/queue/queues.js';
import { connectRedis } from '../../src/redis/connection.js';
import { startTestApp, type TestApp } from '../support/harness.js';

let t: TestApp | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

describe('outbound queue', () => {
  it('delivers a due reminder on time behind a bulk backlog of 1000 sends', async () => {
    t = await startTestApp({ HUIWU_SIM_SEND_RATE: '20', HUIWU_RECIPIENT_LIMIT_PER_MINUTE: '10000' });
    const bulk = Array.from({ length: 1000 }, (_, i) => ({
      id: `bulk-${i}`,
      target: { kind: 'conversation' as const, conversationId: 'simulator:prep-group' },
      content: { type: 'text' as const, text: `群发 ${i}` },
      priority: PRIORITY.bulk,
    }));
    await t.app.services.outbox.enqueueMany(bulk);

    const sentAt = Date.now();
    await t.sim.say('dm-huangmin', 'huangmin', '提醒 3秒后 插队测试');
    const card = await t.sim.nextBotMessage('dm-huangmin', 0, (m) => m.card?.body === '插队测试', 15_000);
    expect(Date.parse(card.at) - (sentAt + 3000)).toBeLessThan(2000);

    // The backlog was real: at 20/s most of it is still waiting.
    const bulkSent = await t.app.services.db.outboundMessage.count({ where: { id: { startsWith: 'bulk-' }, status: 'sent' } });
    expect(bulkSent).toBeLessThan(500);
  });

  it('holds back messages over the per-recipient limit and sends them later', async () => {
    t = await startTestApp({ HUIWU_RECIPIENT_LIMIT_PER_MINUTE: '3' });
    const queue = t.app.queues.outbound.get('simulator')!;
    const events = new QueueEvents(QUEUE_NAMES.outbound('simulator'), { connection: connectRedis(t.env.REDIS_URL!), prefix: t.env.HUIWU_QUEUE_PREFIX });
    await events.waitUntilReady();
    const parked = new Promise<void>((resolve) => {
      const seen = new Set<string>();
      events.on('delayed', ({ jobId }) => {
        seen.add(jobId);
        if (seen.size === 2) resolve();
      });
    });
    await t.app.services.outbox.enqueueMany(
      Array.from({ length: 5 }, (_, i) => ({
        id: `burst-${i}`,
        target: { kind: 'user' as const, userId: 'simulator:wujun' },
        content: { type: 'text' as const, text: `消息 ${i}` },
        priority: PRIORITY.normal,
      })),
    );
    await parked;
    await events.close();
    // The three within the limit may still be recording their sends.
    const sent = () => t!.app.services.db.outboundMessage.count({ where: { id: { startsWith: 'burst-' }, status: 'sent' } });
    await expect.poll(sent, { timeout: 5000 }).toBe(3);
    const rows = await t.app.services.db.outboundMessage.findMany({ where: { id: { startsWith: 'burst-' } } });
    expect(rows.filter((r) => r.status === 'pending')).toHaveLength(2);
    expect(await queue.getDelayedCount()).toBe(2);
    expect((await t.sim.messages('dm-wujun')).filter((m) => m.from === 'bot')).toHaveLength(3);
  });

  it('retries at start-up a send that BullMQ failed while its message is still pending', async () => {
    t = await startTestApp();
    const env = t.env;
    await t.stop();
    // While the app is down, a job fails without our processor recording it (as when a job
    // stalls twice in a row): the row stays pending and the job id is taken by a failed job.
    const connection = connectRedis(env.REDIS_URL!);
    const failing = new Worker(QUEUE_NAMES.outbound('simulator'), async () => {
      throw new UnrecoverableError('stalled job exceeded the stall limit');
    }, { connection, prefix: env.HUIWU_QUEUE_PREFIX });
    const failed = new Promise<void>((resolve) => failing.once('failed', () => resolve()));
    const { createPrisma } = await import('../../src/db/client.js');
    const { Outbox } = await import('../../src/services/outbox.js');
    const { loadConfig } = await import('../../src/config.js');
    const { createQueues } = await import('../../src/queue/queues.js');
    const db = createPrisma(env.DATABASE_URL!);
    const queues = createQueues(connection, env.HUIWU_QUEUE_PREFIX!, ['simulator']);
    await new Outbox(db, queues.outbound, loadConfig(env)).enqueue({
      id: 'stalled-twice',
      target: { kind: 'user', userId: 'simulator:wujun' },
      content: { type: 'text', text: '卡住的消息' },
      priority: PRIORITY.normal,
    });
    await failed;
    await failing.close();
    await queues.close();
    await db.$disconnect();
    connection.disconnect();

    t = await t.restart();
    const dm = await t.sim.nextBotMessage('dm-wujun', 0, (m) => m.text === '卡住的消息');
    expect(dm).toBeDefined();
    expect((await t.app.services.db.outboundMessage.findUnique({ where: { id: 'stalled-twice' } }))?.status).toBe('sent');
  });
});
