/**
 * Retention: the daily prune job (a BullMQ job scheduler with a fixed id) deletes old simulator
 * messages, processed inbound event ids, sent messages and closed cards, and never a row still
 * needed: pending or failed messages, open cards, cards a meeting points at or with an update
 * still pending, simulator messages showing an open card, inbound ids inside the window.
 */
import { QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRUNE_SCHEDULER_ID } from '../../jobs/maintenance.js';
import { KEEP_JOBS, PRIORITY, QUEUE_NAMES } from '../../src/queue/queues.js';
import { connectRedis } from '../../src/redis/connection.js';
import { startTestApp, type TestApp } from '../support/harness.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ HUIWU_RETENTION_DAYS_SIM_MESSAGES: '30', HUIWU_RETENTION_DAYS_INBOUND_EVENTS: '30', HUIWU_RETENTION_DAYS_OUTBOUND: '30', HUIWU_RETENTION_DAYS_CARDS: '90' });
});
afterAll(async () => {
  await t?.close();
});

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000);
const card = (id: string, closed: boolean) => JSON.stringify({ id, title: id, ...(closed ? { state: { status: 'done', label: 'done', closed: true } } : {}) });

describe('retention', () => {
  it('prunes old rows that only record the past and keeps every row still needed', async () => {
    const db = t.app.services.db;
    const old = daysAgo(100);
    await db.simMessage.createMany({
      data: [
        { conversationId: 'ret', fromId: 'bot', text: 'old text', createdAt: old },
        { conversationId: 'ret', fromId: 'bot', cardId: 'ret-closed', card: card('ret-closed', true), createdAt: old },
        { conversationId: 'ret', fromId: 'bot', cardId: 'ret-open', card: card('ret-open', false), createdAt: old },
        { conversationId: 'ret', fromId: 'bot', text: 'recent text', createdAt: daysAgo(1) },
      ],
    });
    await db.inboundEvent.createMany({
      data: [
        { id: 'simulator:ret-old', platform: 'simulator', kind: 'message', createdAt: daysAgo(40) },
        { id: 'simulator:ret-young', platform: 'simulator', kind: 'message', createdAt: daysAgo(10) },
      ],
    });
    const message = (id: string, status: string, at: Date) => ({ id, platform: 'simulator', targetKind: 'user', targetId: 'simulator:ret', kind: 'send', payload: '{}', priority: PRIORITY.normal, status, createdAt: at, sentAt: status === 'sent' ? at : null });
    await db.outboundMessage.createMany({
      data: [
        message('ret-sent-old', 'sent', old),
        message('ret-pending-old', 'pending', old),
        message('ret-failed-old', 'failed', old),
        message('ret-sent-recent', 'sent', daysAgo(2)),
        message('cardupd-ret-card-updating-v3', 'pending', old),
      ],
    });
    const cardRow = (id: string, closed: boolean, at: Date) => ({ id, kind: 'test', refId: '1', targetKind: 'user', targetId: 'simulator:ret', model: card(id, closed), createdAt: at, updatedAt: at });
    await db.card.createMany({
      data: [
        cardRow('ret-card-closed', true, old),
        cardRow('ret-card-open', false, old),
        cardRow('ret-card-status', true, old),
        cardRow('ret-card-updating', true, old),
        cardRow('ret-card-closed-recent', true, daysAgo(5)),
      ],
    });
    await db.meeting.create({ data: { title: 'ret', startAt: old, conversationId: 'simulator:ret', creatorId: 'simulator:ret', statusCardId: 'ret-card-status' } });

    // The job the daily scheduler runs, through the real maintenance worker.
    const queue = t.app.queues.maintenance;
    const scheduler = await queue.getJobScheduler(PRUNE_SCHEDULER_ID);
    expect(scheduler).toMatchObject({ pattern: t.app.services.config.HUIWU_RETENTION_CRON, tz: t.app.services.config.HUIWU_TIMEZONE });
    const events = new QueueEvents(QUEUE_NAMES.maintenance, { connection: connectRedis(t.env.REDIS_URL!), prefix: t.env.HUIWU_QUEUE_PREFIX });
    try {
      await events.waitUntilReady();
      const job = await queue.add('retention.prune', { kind: 'retention.prune' });
      const counts = JSON.parse((await job.waitUntilFinished(events, 30_000)) as string) as Record<string, number>;
      expect(counts).toEqual({ simMessages: 2, inboundEvents: 1, outboundMessages: 1, cards: 1, signIns: 0, attachments: 0, archivePacks: 0 });
    } finally {
      await events.close();
    }

    expect((await db.simMessage.findMany({ where: { conversationId: 'ret' }, orderBy: { id: 'asc' } })).map((m) => m.text ?? m.cardId)).toEqual(['ret-open', 'recent text']);
    expect((await db.inboundEvent.findMany({ where: { id: { startsWith: 'simulator:ret-' } } })).map((e) => e.id)).toEqual(['simulator:ret-young']);
    expect((await db.outboundMessage.findMany({ where: { targetId: 'simulator:ret' }, orderBy: { id: 'asc' } })).map((m) => m.id)).toEqual([
      'cardupd-ret-card-updating-v3', 'ret-failed-old', 'ret-pending-old', 'ret-sent-recent',
    ]);
    expect((await db.card.findMany({ where: { id: { startsWith: 'ret-card' } }, orderBy: { id: 'asc' } })).map((c) => c.id)).toEqual([
      'ret-card-closed-recent', 'ret-card-open', 'ret-card-status', 'ret-card-updating',
    ]);
  });

  it('bounds the finished jobs every queue keeps in Redis', async () => {
    const { queues, services } = t.app;
    for (const queue of [queues.inbound, queues.schedule, queues.maintenance, ...queues.outbound.values()]) {
      expect(queue.defaultJobOptions.removeOnComplete, queue.name).toBeDefined();
      expect(queue.defaultJobOptions.removeOnFail, queue.name).toMatchObject({ count: expect.any(Number) });
    }
    await services.outbox.enqueue({ id: 'ret-bounded', target: { kind: 'user', userId: 'simulator:wangfang' }, content: { type: 'text', text: 'x' }, priority: PRIORITY.normal });
    const job = await queues.outbound.get('simulator')!.getJob('out-ret-bounded');
    expect(job?.opts).toMatchObject(KEEP_JOBS.outbound);
    await services.scheduler.at('meeting.status', 'ret-status-job', { meetingId: 0 }, new Date(Date.now() + 3_600_000));
    expect((await queues.schedule.getJob('ret-status-job'))?.opts).toMatchObject(KEEP_JOBS.schedule);
  });
});
