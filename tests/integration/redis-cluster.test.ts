/**
 * Huiwu on a three-master Redis Cluster (REDIS_URL=redis-cluster://…), started by the test from
 * Debian's redis-server: queue keys are hash-tagged into one slot, and a command's reply (inbound
 * and outbound queues), a delayed reminder, a job scheduler's run, an invitation fan-out and the
 * coordinator lease all work across the cluster's nodes.
 */
import { Queue, QueueEvents } from 'bullmq';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrisma } from '../../src/db/client.js';
import { connectRedis } from '../../src/redis/connection.js';
import { QUEUE_NAMES } from '../../src/queue/queues.js';
import { seedDepartment } from '../support/fanout.js';
import { startTestApp, type TestApp } from '../support/harness.js';
import { startRedisCluster, type TestRedisCluster } from '../support/redis-cluster.js';

let cluster: TestRedisCluster;
let t: TestApp;

// scripts/run.mjs sets this (outside CI) when redis-server or redis-cli cannot be installed.
describe.skipIf(Boolean(process.env.HUIWU_TEST_SKIP_REDIS_CLUSTER))('on a Redis Cluster', () => {
  beforeAll(async () => {
    cluster = await startRedisCluster();
    t = await startTestApp({ REDIS_URL: cluster.url, HUIWU_RECIPIENT_LIMIT_PER_MINUTE: '1000', HUIWU_GROUP_LIMIT_PER_MINUTE: '1000' });
  }, 90_000);

  afterAll(async () => {
    await t?.close();
    await cluster?.stop();
  });

  it('answers a command and delivers a delayed reminder once', async () => {
    const reply = await t.sim.ask('dm-wangfang', 'wangfang', '提醒 3秒后 集群提醒');
    expect(reply.text).toContain('已设置提醒');
    const card = await t.sim.nextBotMessage('dm-wangfang', reply.id, (m) => m.card?.body === '集群提醒', 15_000);
    expect(card.card?.body).toBe('集群提醒');
    expect((await t.sim.messages('dm-wangfang')).filter((m) => m.card?.body === '集群提醒')).toHaveLength(1);
  });

  it('runs a job scheduler and sends an invitation fan-out', async () => {
    const prefix = `{${t.env.HUIWU_QUEUE_PREFIX}}`;
    const events = new QueueEvents(QUEUE_NAMES.maintenance, { connection: connectRedis(cluster.url), prefix });
    await events.waitUntilReady();
    const completed = new Promise<string>((resolve) => events.once('completed', ({ jobId }) => resolve(jobId)));
    await t.app.queues.maintenance.upsertJobScheduler('test-prune', { every: 500 }, { name: 'retention.prune', data: { kind: 'retention.prune' } });
    expect(await completed).toContain('test-prune');
    await t.app.queues.maintenance.removeJobScheduler('test-prune');
    await events.close();
    // The coordinator registered the daily prune on start.
    expect(await t.app.queues.maintenance.getJobScheduler('retention-prune')).toBeTruthy();
    expect(t.app.coordinator.holding).toBe(true);

    const db = createPrisma(t.env.DATABASE_URL!);
    const invitees = await seedDepartment(db, '集群部', 40, 'cl');
    const created = await t.sim.ask('prep-group', 'wangfang', '会议 新建 集群会议 后天上午9点');
    const meetingId = Number(/#(\d+)/.exec(created.text ?? '')?.[1]);
    const invited = await t.sim.ask('prep-group', 'wangfang', `会议 邀请 #${meetingId} 部门 集群部`, 20_000);
    expect(invited.text).toContain(`已邀请 ${invitees.length} 人`);
    for (const id of invitees) {
      const card = await t.sim.nextBotMessage(`dm-${id}`, 0, (m) => m.card?.id.startsWith(`inv-m${meetingId}-`) ?? false, 20_000);
      expect(card).toBeTruthy();
    }
    await db.$disconnect();
  });

  it('keeps every queue key in one hash slot', async () => {
    const redis = connectRedis(cluster.url) as Cluster;
    await new Promise((resolve) => redis.once('ready', resolve));
    const prefix = `{${t.env.HUIWU_QUEUE_PREFIX}}`;
    const keys = (await Promise.all(redis.nodes('master').map((node) => node.keys(`${prefix}:*`)))).flat();
    expect(keys.length).toBeGreaterThan(0);
    const slots = new Set(await Promise.all(keys.map((key) => redis.cluster('KEYSLOT', key))));
    expect(slots.size).toBe(1);
    // Without the tag a queue's keys spread over slots and BullMQ's scripts are refused.
    const untagged = new Queue('probe', { connection: redis, prefix: t.env.HUIWU_QUEUE_PREFIX });
    await expect(untagged.add('x', {})).rejects.toThrow(/CROSSSLOT|slot/i);
    await untagged.close();
    redis.disconnect();
  });
});
