/**
 * `npm run test:faults`: Huiwu under faults, measured end to end. Each scenario drives the real app
 * (a child process where something gets killed) through the simulator's API or the platform
 * fakes, injects a fault, and counts what reached the "platform": expected, delivered, lost,
 * duplicated. The table is printed once at the end; any loss or duplicate fails the run.
 *
 *  - the app killed with SIGKILL during a reminder burst and during an invitation fan-out;
 *  - the private Redis killed with kill -9 during both (the app restarts it), with commands posted
 *    during the outage (refused with 503 and delivered again, as platforms do);
 *  - platform failures and throttling injected through POST /sim/api/faults;
 *  - the platform configuration switched between starts (DingTalk unreachable, absent, back);
 *  - callbacks replayed (WeCom re-sends, DingTalk signatures captured and re-used).
 */
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createPrisma, type PrismaClient } from '../../src/db/client.js';
import { applyMigrations } from '../../src/db/migrate.js';
import { dingTalkSign } from '../../src/platforms/dingtalk/verify.js';
import { socketPathFor } from '../../src/redis/private-redis.js';
import { DINGTALK_GROUP, startFakeDingTalk } from '../conversation/dingtalk-driver.js';
import { WecomCallbackDriver } from '../fakes/wecom/callback-driver.js';
import { startWecomWorld } from '../fakes/wecom/world.js';
import { startAppProcess, type AppProcess } from '../support/app-process.js';
import { seedDepartment, waitFor } from '../support/fanout.js';
import { removeTestData, startTestApp, testEnv } from '../support/harness.js';
import { addressed, SimClient } from '../support/sim-client.js';
import { formatTable, tally, type FaultRow } from './report.js';

const rows: FaultRow[] = [];
const cleanups: Array<() => Promise<void>> = [];

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  console.log(`\nHuiwu fault suite\n${formatTable(rows)}\n`);
});

function record(row: FaultRow): void {
  rows.push(row);
  expect(row, row.scenario).toMatchObject({ lost: 0, duplicated: 0, delivered: row.expected });
}

/** A data folder for a child app; `privateRedis`: the app runs (and supervises) its own Redis. */
async function childApp(overrides: Record<string, string>, privateRedis: boolean): Promise<ChildApp> {
  const env = await testEnv({ HUIWU_RECIPIENT_LIMIT_PER_MINUTE: '10000', HUIWU_JOB_LOCK_MS: '2000', ...overrides, ...(privateRedis ? { REDIS_URL: '' } : {}) });
  const db = createPrisma(env.DATABASE_URL!);
  let app: AppProcess | null = null;
  cleanups.push(async () => {
    app?.child.kill('SIGTERM');
    await app?.exited;
    await db.$disconnect();
    if (privateRedis) await shutdownRedis(env);
    await removeTestData(env);
  });
  return {
    env,
    db,
    async start(): Promise<AppProcess> {
      // Our connection stays closed while the app applies migrations (it reconnects on use).
      await db.$disconnect();
      app = await startAppProcess(env);
      return app;
    },
    async killApp(): Promise<void> {
      app!.child.kill('SIGKILL');
      await app!.exited;
    },
  };
}
interface ChildApp {
  env: Record<string, string>;
  db: PrismaClient;
  start(): Promise<AppProcess>;
  killApp(): Promise<void>;
}

function redisClient(env: Record<string, string>): Redis {
  const redis = new Redis({ path: socketPathFor(join(env.HUIWU_DATA_DIR!, 'redis')), maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => undefined);
  return redis;
}

/** kill -9 of the app's private redis-server. */
async function killRedis(env: Record<string, string>): Promise<void> {
  const redis = redisClient(env);
  try {
    process.kill(Number(/process_id:(\d+)/.exec(await redis.info('server'))![1]), 'SIGKILL');
  } finally {
    redis.disconnect();
  }
}

async function shutdownRedis(env: Record<string, string>): Promise<void> {
  const redis = redisClient(env);
  await redis.call('SHUTDOWN', 'NOSAVE').catch(() => undefined);
  redis.disconnect();
}

/** Posts like a platform: a 503 (Redis down) is delivered again shortly after. */
async function postUntilAccepted(sim: SimClient, conversation: string, from: string, text: string): Promise<number> {
  for (let attempt = 0; attempt < 300; attempt++) {
    const res = await sim.request<{ id: number }>('POST', '/sim/api/messages', { conversation, from, text });
    if (res.status === 202) return res.body.id;
    if (res.status !== 503) throw new Error(`unexpected ${res.status}: ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('never accepted');
}

/** Waits (bounded) until `done` holds; the count is taken either way, a timeout shows as lost. */
async function settle(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  await waitFor('delivery to settle', async () => (await check()) || undefined, timeoutMs, 200).catch(() => undefined);
}

const REMINDERS = 24;

async function reminderBurst(kill: 'app' | 'redis'): Promise<FaultRow> {
  const env = await childApp({ HUIWU_SIM_SEND_RATE: '6' }, kill === 'redis');
  const app = await env.start();
  const sim = new SimClient(app.baseUrl);
  const texts = Array.from({ length: REMINDERS }, (_, i) => `演练提醒${kill}${i}`);
  await Promise.all(texts.map((text) => sim.say('dm-wangfang', 'wangfang', `提醒 6秒后 ${text}`)));
  await waitFor('every reminder stored', async () => (await env.db.reminder.count()) === REMINDERS || undefined, 30_000);

  const cardBodies = async () =>
    (await env.db.simMessage.findMany({ where: { conversationId: 'dm-wangfang', cardId: { startsWith: 'rem-' } }, select: { card: true } })).map(
      (m) => (JSON.parse(m.card!) as { body?: string }).body ?? '',
    );
  // Killed once a quarter of the burst is out: some sent, some firing, most still due.
  await waitFor('a quarter of the burst delivered', async () => (await cardBodies()).length >= REMINDERS / 4 || undefined, 40_000, 50);
  const outage: number[] = [];
  if (kill === 'app') {
    await env.killApp();
    await env.start();
  } else {
    await killRedis(env.env);
    for (let i = 0; i < 4; i++) outage.push(await postUntilAccepted(sim, 'dm-zhaolei', 'zhaolei', '帮助'));
  }
  const replies = async () =>
    (await env.db.simMessage.findMany({ where: { conversationId: 'dm-zhaolei', outboundId: { startsWith: 'reply-' } }, select: { outboundId: true } })).map(
      (m) => /^reply-simulator-msg-(\d+)-/.exec(m.outboundId!)?.[1] ?? '',
    );
  await settle(async () => new Set(await cardBodies()).size >= REMINDERS && (await replies()).length >= outage.length, 60_000);
  const expected = [...texts, ...outage.map(String)];
  return tally(
    kill === 'app' ? `reminder burst (${REMINDERS}), app SIGKILL` : `reminder burst (${REMINDERS}) + 4 commands, Redis kill -9`,
    expected,
    [...(await cardBodies()), ...(await replies())],
  );
}

const INVITEES = 200;

async function invitationFanout(kill: 'app' | 'redis'): Promise<FaultRow> {
  const env = await childApp({ HUIWU_SIM_SEND_RATE: '100', HUIWU_FANOUT_PROGRESS_MS: '500' }, kill === 'redis');
  await applyMigrations({ databaseUrl: env.env.DATABASE_URL! });
  const invitees = await seedDepartment(env.db, '演练代表', INVITEES);
  const app = await env.start();
  const sim = new SimClient(app.baseUrl);
  const created = await sim.ask('prep-group', 'wangfang', '会议 新建 演练大会 后天上午9点 地点 礼堂', 30_000);
  const meetingId = Number(/#(\d+)/.exec(created.text ?? '')?.[1]);
  await sim.say('prep-group', 'wangfang', addressed('prep-group', `会议 邀请 #${meetingId} 部门 演练代表`));
  const delivered = async () =>
    (await env.db.simMessage.findMany({ where: { cardId: { startsWith: `inv-m${meetingId}-` } }, select: { conversationId: true } })).map((m) => m.conversationId);
  await waitFor('a third of the invitations delivered', async () => (await delivered()).length >= INVITEES / 3 || undefined, 60_000, 50);
  if (kill === 'app') {
    await env.killApp();
    await env.start();
  } else {
    await killRedis(env.env);
  }
  await settle(async () => (await env.db.outboundMessage.count({ where: { id: { startsWith: `card-inv-m${meetingId}-` }, status: 'sent' } })) >= INVITEES, 90_000);
  return tally(`invitation fan-out (${INVITEES}), ${kill === 'app' ? 'app SIGKILL' : 'Redis kill -9'}`, invitees.map((id) => `dm-${id}`), await delivered());
}

describe('Huiwu under faults', { timeout: 240_000 }, () => {
  it('reminder burst, app killed (SIGKILL) mid-way', async () => record(await reminderBurst('app')));

  it('reminder burst, private Redis killed (kill -9) mid-way, commands posted during the outage', async () => record(await reminderBurst('redis')));

  it('invitation fan-out, app killed (SIGKILL) mid-way', async () => record(await invitationFanout('app')));

  it('invitation fan-out, private Redis killed (kill -9) mid-way', async () => record(await invitationFanout('redis')));

  it('platform failures and throttling (POST /sim/api/faults)', async () => {
    const t = await startTestApp({ HUIWU_RECIPIENT_LIMIT_PER_MINUTE: '10000' });
    cleanups.push(() => t.close());
    expect((await t.sim.request('POST', '/sim/api/faults', { sendFailures: 6, throttles: 6, throttleMs: 300 })).status).toBe(200);
    const ids = await Promise.all(Array.from({ length: 20 }, () => t.sim.say('dm-wangfang', 'wangfang', '帮助')));
    const db = t.app.services.db;
    const replies = async () =>
      (await db.simMessage.findMany({ where: { conversationId: 'dm-wangfang', outboundId: { startsWith: 'reply-' } }, select: { outboundId: true } })).map(
        (m) => /^reply-simulator-msg-(\d+)-/.exec(m.outboundId!)?.[1] ?? '',
      );
    await settle(async () => (await replies()).length >= ids.length, 60_000);
    const failed = await db.outboundMessage.count({ where: { status: 'failed' } });
    expect(failed).toBe(0);
    record(tally('20 commands, 6 send failures + 6 throttles injected', ids.map(String), await replies()));
  });

  it('platform configuration switched between starts', async () => {
    const fake = await startFakeDingTalk();
    cleanups.push(() => fake.close());
    const secret = 'faults-http-secret';
    const dingtalk = { ...fake.env(), DINGTALK_HTTP_CALLBACK_SECRET: secret };
    const base = await testEnv({ HUIWU_SEND_BACKOFF_MS: '3000' });
    const without = { ...Object.fromEntries(Object.entries({ ...base, ...dingtalk }).filter(([k]) => !k.startsWith('DINGTALK_'))), HUIWU_SIMULATOR: 'auto' };
    // 1. DingTalk configured but unreachable: a command arrives, its reply cannot be sent.
    let t = await startTestApp({}, { ...base, ...dingtalk, DINGTALK_API_BASE: 'http://127.0.0.1:1', DINGTALK_OAPI_BASE: 'http://127.0.0.1:1' });
    const now = String(Date.now());
    const res = await fetch(`${t.baseUrl}/dingtalk/robot`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', timestamp: now, sign: dingTalkSign(now, secret) },
      body: JSON.stringify({
        msgId: 'faults-switch-1', msgtype: 'text', text: { content: ' 帮助' }, conversationId: DINGTALK_GROUP, conversationType: '2', conversationTitle: '会务筹备群',
        senderStaffId: 'wangfang', senderNick: '王芳', isInAtList: true, sessionWebhook: 'http://127.0.0.1:1/robot/send', sessionWebhookExpiredTime: Date.now() + 60_000, createAt: Date.now(),
      }),
    });
    expect(res.status).toBe(200);
    const db1 = t.app.services.db;
    await waitFor('a failed send', async () => (await db1.outboundMessage.count({ where: { platform: 'dingtalk', attempts: { gte: 1 } } })) > 0 || undefined, 20_000);
    await t.stop();
    // 2. Started without DingTalk (the simulator only): a reminder for a DingTalk user falls due.
    t = await startTestApp({}, without);
    const reminder = await t.app.services.reminders.create({
      creatorId: 'dingtalk:wangfang', sourceConversationId: `dingtalk:${DINGTALK_GROUP}`, target: { kind: 'user', userId: 'dingtalk:wangfang' },
      text: '演练：配置切换', when: { kind: 'once', at: new Date(Date.now() + 300) }, important: false,
    });
    const db2 = t.app.services.db;
    await waitFor('the reminder stored for DingTalk', async () => (await db2.outboundMessage.count({ where: { id: { startsWith: `card-rem-${reminder.id}-` } } })) > 0 || undefined, 20_000);
    await t.stop();
    // 3. DingTalk back: both arrive.
    t = await startTestApp({}, { ...without, ...dingtalk });
    cleanups.push(() => t.close());
    const db3 = t.app.services.db;
    await settle(async () => (await db3.outboundMessage.count({ where: { platform: 'dingtalk', status: 'sent' } })) >= 2, 30_000);
    const seen = [
      ...fake.world.botMessages(DINGTALK_GROUP).filter((m) => (m.text ?? m.markdown?.text ?? '').includes('提醒')).map(() => 'reply'),
      ...fake.world.botMessages(fake.world.dmCid('wangfang')).filter((m) => m.card).map(() => 'reminder'),
    ];
    record(tally('DingTalk unreachable -> unconfigured -> back (reply + reminder)', ['reply', 'reminder'], seen));
  });

  it('callbacks replayed: WeCom re-sends, captured DingTalk signatures', async () => {
    const fake = await startFakeDingTalk();
    cleanups.push(() => fake.close());
    const secret = 'faults-replay-secret';
    const { HUIWU_ADMIN_TOKEN: _token, HUIWU_PII_KEY: _key, HUIWU_SIMULATOR: _sim, ...dingtalk } = fake.env();
    const w = await startWecomWorld({ bot: false, env: { ...dingtalk, DINGTALK_HTTP_CALLBACK_SECRET: secret } });
    cleanups.push(() => w.close());
    const delivered: string[] = [];
    // WeCom: each message delivered four times (the first and three re-sends).
    const users = ['wangfang', 'zhaolei', 'zhouting', 'lichen'];
    for (const user of users) {
      const xml = w.callback.textXml(user, '帮助', WecomCallbackDriver.msgId());
      for (let i = 0; i < 4; i++) expect((await w.callback.post(xml)).status).toBe(200);
    }
    // DingTalk HTTP callbacks: each signed request played three times, and its signature once more on a forged body.
    const bodies = [1, 2, 3].map((n) => ({
      msgId: `faults-replay-${n}`, msgtype: 'text', text: { content: ' 帮助' }, conversationId: DINGTALK_GROUP, conversationType: '2', conversationTitle: '会务筹备群',
      senderStaffId: 'wangfang', senderNick: '王芳', isInAtList: true, sessionWebhook: fake.api.issueSession(DINGTALK_GROUP, 60_000).url, sessionWebhookExpiredTime: Date.now() + 60_000, createAt: Date.now(),
    }));
    for (const [n, body] of bodies.entries()) {
      const timestamp = String(Date.now() + n);
      const headers = { 'content-type': 'application/json', timestamp, sign: dingTalkSign(timestamp, secret) };
      const statuses = [];
      for (const b of [body, body, body, { ...body, msgId: `forged-${n}`, text: { content: ' 提醒 1秒后 伪造' } }]) {
        statuses.push((await fetch(`${w.t.baseUrl}/dingtalk/robot`, { method: 'POST', headers, body: JSON.stringify(b) })).status);
      }
      expect(statuses).toEqual([200, 409, 409, 409]);
    }
    const wecomReplies = () => w.api.messages.filter((m) => users.includes(m.to ?? '') && (m.text ?? '').includes('提醒'));
    const dingReplies = () => fake.world.botMessages(DINGTALK_GROUP);
    await settle(async () => wecomReplies().length >= users.length && dingReplies().length >= bodies.length, 30_000);
    // Late duplicates would arrive within the retry backoff: give them a moment.
    await new Promise((r) => setTimeout(r, 1000));
    delivered.push(...wecomReplies().map((m) => `wecom:${m.to}`));
    delivered.push(...dingReplies().map((m, i) => ((m.text ?? m.markdown?.text ?? '').includes('伪造') ? 'forged' : `dingtalk:${i}`)));
    const expected = [...users.map((u) => `wecom:${u}`), ...bodies.map((_, i) => `dingtalk:${i}`)];
    record(tally('callbacks replayed (WeCom x4, DingTalk x3 + forged body)', expected, delivered));
  });
});
