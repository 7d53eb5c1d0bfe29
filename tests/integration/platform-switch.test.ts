/**
 * A data folder outlives a configuration: messages pending for DingTalk when the app is started
 * without it stay pending (the app starts, nothing is dropped or marked sent), a reminder due
 * meanwhile is stored for DingTalk too, and both are delivered once DingTalk is configured again.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { dingTalkSign } from '../../src/platforms/dingtalk/verify.js';
import { DINGTALK_GROUP, startFakeDingTalk } from '../conversation/dingtalk-driver.js';
import type { FakeDingTalk } from '../fakes/dingtalk/fake-dingtalk.js';
import { waitFor } from '../support/fanout.js';
import { startTestApp, testEnv, type TestApp } from '../support/harness.js';

const SECRET = 'robot-http-callback-secret';
/** Nothing listens on port 1: every DingTalk call is refused at once. */
const UNREACHABLE = 'http://127.0.0.1:1';
let fake: FakeDingTalk | null = null;
let t: TestApp | null = null;

afterAll(async () => {
  await t?.close();
  await fake?.close();
});

describe('platform configuration switched between starts', () => {
  it('keeps messages for an unconfigured platform pending and sends them once it is back', async () => {
    fake = await startFakeDingTalk();
    const dingtalkEnv = { ...fake.env(), DINGTALK_HTTP_CALLBACK_SECRET: SECRET };
    // Retries seconds apart: the reply stays pending while DingTalk is unreachable or absent.
    const base = await testEnv({ HUIWU_SEND_BACKOFF_MS: '3000' });
    const withoutDingTalk = Object.fromEntries(Object.entries({ ...base, ...dingtalkEnv }).filter(([k]) => !k.startsWith('DINGTALK_')));
    const shared = { ...withoutDingTalk, HUIWU_SIMULATOR: 'auto' };

    // 1. DingTalk configured but unreachable: a command is accepted, its reply cannot be sent.
    t = await startTestApp({}, { ...base, ...dingtalkEnv, DINGTALK_API_BASE: UNREACHABLE, DINGTALK_OAPI_BASE: UNREACHABLE });
    const now = String(Date.now());
    const res = await fetch(`${t.baseUrl}/dingtalk/robot`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', timestamp: now, sign: dingTalkSign(now, SECRET) },
      body: JSON.stringify({
        msgId: 'switch-msg-1', msgtype: 'text', text: { content: ' 帮助' }, conversationId: DINGTALK_GROUP, conversationType: '2', conversationTitle: '会务筹备群',
        senderStaffId: 'wangfang', senderNick: '王芳', isInAtList: true, sessionWebhook: `${UNREACHABLE}/robot/send?session=x`, sessionWebhookExpiredTime: Date.now() + 60_000, createAt: Date.now(),
      }),
    });
    expect(res.status).toBe(200);
    const db1 = t.app.services.db;
    const reply = await waitFor('a failed first send of the reply', async () => (await db1.outboundMessage.findFirst({ where: { platform: 'dingtalk', attempts: { gte: 1 } } })) ?? undefined, 15_000);
    expect(reply.status).toBe('pending');
    await t.stop();

    // 2. Started without DingTalk: it starts, the reply is kept, a reminder for a DingTalk user is stored for later.
    t = await startTestApp({}, shared);
    const services = t.app.services;
    expect(await services.db.outboundMessage.findUnique({ where: { id: reply.id } })).toMatchObject({ status: 'pending' });
    const reminder = await services.reminders.create({
      creatorId: 'dingtalk:wangfang',
      sourceConversationId: `dingtalk:${DINGTALK_GROUP}`,
      target: { kind: 'user', userId: 'dingtalk:wangfang' },
      text: '配置切换后送达',
      when: { kind: 'once', at: new Date(Date.now() + 300) },
      important: false,
    });
    const card = await waitFor(
      'the reminder card stored for DingTalk',
      async () => (await services.db.outboundMessage.findFirst({ where: { platform: 'dingtalk', id: { startsWith: `card-rem-${reminder.id}-` } } })) ?? undefined,
      15_000,
    );
    expect(card.status).toBe('pending');
    expect(card.attempts).toBe(0);
    await t.stop();

    // 3. DingTalk configured again (reachable): both are delivered, once.
    t = await startTestApp({}, { ...shared, ...dingtalkEnv });
    const db3 = t.app.services.db;
    await waitFor('both messages sent', async () => (await db3.outboundMessage.count({ where: { id: { in: [reply.id, card.id] }, status: 'sent' } })) === 2, 20_000);
    const toGroup = fake.world.botMessages(DINGTALK_GROUP);
    expect(toGroup.filter((m) => (m.text ?? m.markdown?.text ?? '').includes('提醒'))).toHaveLength(1);
    const toWangfang = fake.world.botMessages(fake.world.dmCid('wangfang')).filter((m) => m.card);
    expect(toWangfang).toHaveLength(1);
  });
});
