/**
 * The DingTalk adapter end to end: the real app (real Redis, SQLite) against the DingTalk fakes on
 * 127.0.0.1 (stream gateway and server, OpenAPI, session webhooks). One app for the file; each test
 * reads only what happened after its own cursor.
 */
import { createHash } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { barChartPng } from '../../src/charts/bar-chart.js';
import { DingTalkAdapter } from '../../src/platforms/dingtalk/adapter.js';
import { OpenApiClient } from '../../src/platforms/dingtalk/open-api.js';
import { DingTalkSender } from '../../src/platforms/dingtalk/sender.js';
import { SessionWebhooks } from '../../src/platforms/dingtalk/session-webhooks.js';
import { dingTalkSign } from '../../src/platforms/dingtalk/verify.js';
import type { OutboundTarget } from '../../src/platforms/types.js';
import { PRIORITY } from '../../src/queue/queues.js';
import { connectRedis } from '../../src/redis/connection.js';
import { DINGTALK_GROUP, startFakeDingTalk } from '../conversation/dingtalk-driver.js';
import { FAKE_APP, type FakeDingTalk } from '../fakes/dingtalk/fake-dingtalk.js';
import { startTestApp, type TestApp } from '../support/harness.js';

const HTTP_SECRET = 'robot-http-callback-secret';
let fake: FakeDingTalk;
let t: TestApp;

beforeAll(async () => {
  fake = await startFakeDingTalk();
  fake.stream.redeliverAfterMs = 300;
  t = await startTestApp({ ...fake.env(), DINGTALK_HTTP_CALLBACK_SECRET: HTTP_SECRET });
  await fake.waitFor(() => fake.stream.openCount() > 0, 10_000, 'the stream connection');
}, 60_000);

afterAll(async () => {
  await t?.close();
  await fake?.close();
});

const seqNow = () => fake.world.messages.at(-1)?.seq ?? 0;
const botAfter = (cid: string, after: number) => fake.world.botMessages(cid).filter((m) => m.seq > after);
const reply = (cid: string, after: number, what = 'a reply') => fake.waitFor(() => botAfter(cid, after)[0], 10_000, what);
const dingtalk = () => t.app.adapters.find((a): a is DingTalkAdapter => a instanceof DingTalkAdapter)!;

describe('DingTalk adapter', () => {
  it('answers a group command through the session webhook and acks the frame', async () => {
    const before = seqNow();
    const { acked } = fake.say(DINGTALK_GROUP, 'wangfang', '@会务助手 帮助');
    const ack = await acked;
    expect(ack).toMatchObject({ code: 200, data: JSON.stringify({ response: null }) });
    const m = await reply(DINGTALK_GROUP, before);
    expect(m.text).toContain('提醒');
    expect(m.via).toBe('webhook');
  });

  it('answers a one-to-one command', async () => {
    const dm = fake.world.dmCid('zhaolei');
    const before = seqNow();
    fake.say(dm, 'zhaolei', '帮助');
    const m = await reply(dm, before);
    expect(m.text).toContain('提醒');
  });

  it('updates a card on click: at once through the ACK, then through PUT card/instances', async () => {
    const dm = fake.world.dmCid('wangfang');
    const before = seqNow();
    fake.say(dm, 'wangfang', '提醒 1秒后 卡片测试');
    const cardMessage = await fake.waitFor(() => botAfter(dm, before).find((m) => m.card), 15_000, 'the reminder card');
    const card = fake.world.cards.get(cardMessage.card!)!;
    expect(card.templateId).toBe(FAKE_APP.templateId);
    const create = fake.api.calls('/v1.0/card/instances/createAndDeliver').at(-1)!;
    expect(create.body).toMatchObject({ callbackType: 'STREAM', openSpaceId: 'dtv1.card//IM_ROBOT.wangfang', outTrackId: card.outTrackId });
    expect(JSON.parse(card.data.actions!).map((a: { key: string }) => a.key)).toContain('reminder.ack');

    const putsBefore = fake.api.calls('/v1.0/card/instances').length;
    const ack = await fake.click(card.outTrackId, 'wangfang', 'reminder.ack');
    const response = JSON.parse(ack.data!).response;
    expect(response.cardData.cardParamMap).toMatchObject({ closed: 'true', hasActions: 'false' });
    expect(card.data.status).toContain('已知晓');
    await fake.waitFor(() => fake.api.calls('/v1.0/card/instances').length > putsBefore, 10_000, 'the card update PUT');
    expect(fake.api.calls('/v1.0/card/instances').at(-1)!.status).toBe(200);
  });

  it('processes a frame redelivered after a lost ACK once (same stream messageId, and same msgId)', async () => {
    const before = seqNow();
    fake.stream.dropAcks = 1;
    const first = fake.say(DINGTALK_GROUP, 'wangfang', '@会务助手 帮助');
    expect((await first.acked).code).toBe(200); // the second delivery's ACK
    // DingTalk may also push the same robot message again as a new frame.
    await fake.say(DINGTALK_GROUP, 'wangfang', '@会务助手 帮助', { msgId: first.msgId }).acked;
    await reply(DINGTALK_GROUP, before);
    await new Promise((r) => setTimeout(r, 1500));
    expect(botAfter(DINGTALK_GROUP, before)).toHaveLength(1);
    const acksForFirst = fake.stream.acks.filter((a) => a.headers.messageId === first.messageId);
    expect(acksForFirst.length).toBeGreaterThanOrEqual(2);
  });

  it('reconnects after a dropped connection and loses nothing sent meanwhile', async () => {
    await fake.stream.ping();
    const accepted = fake.stream.accepted;
    fake.stream.dropConnections();
    const before = seqNow();
    fake.say(DINGTALK_GROUP, 'zhaolei', '@会务助手 帮助'); // queued by DingTalk until a connection is back
    const m = await reply(DINGTALK_GROUP, before, 'the reply after reconnecting');
    expect(m.text).toContain('提醒');
    expect(fake.stream.accepted).toBeGreaterThan(accepted);
  });

  it('opens a new connection when the server announces a disconnect', async () => {
    const accepted = fake.stream.accepted;
    fake.stream.sendDisconnect(5_000);
    await fake.waitFor(() => fake.stream.accepted > accepted, 5_000, 'a new connection');
    const before = seqNow();
    fake.say(DINGTALK_GROUP, 'wangfang', '@会务助手 帮助');
    await reply(DINGTALK_GROUP, before);
  });

  it('falls back to the robot API when the session webhook has expired', async () => {
    const before = seqNow();
    const webhookCalls = fake.api.calls('/robot/sendBySession').length;
    fake.say(DINGTALK_GROUP, 'wangfang', '@会务助手 帮助', { sessionTtlMs: 1 });
    const m = await reply(DINGTALK_GROUP, before);
    expect(m.via).toBe('robot-api');
    expect(fake.api.calls('/robot/sendBySession')).toHaveLength(webhookCalls);
    expect(fake.api.calls('/v1.0/robot/groupMessages/send').at(-1)!.body).toMatchObject({ robotCode: FAKE_APP.robotCode, openConversationId: DINGTALK_GROUP, msgKey: 'sampleText' });
  });

  it('backs off after a QPS 403 and delivers once', async () => {
    const path = '/v1.0/robot/groupMessages/send';
    const calls = fake.api.calls(path).length;
    fake.api.fault(path, { status: 403, body: { code: 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi', message: 'qps' } });
    const before = seqNow();
    fake.say(DINGTALK_GROUP, 'wangfang', '@会务助手 帮助', { sessionTtlMs: 1 });
    await reply(DINGTALK_GROUP, before);
    await new Promise((r) => setTimeout(r, 500));
    const mine = fake.api.calls(path).slice(calls);
    expect(mine.map((c) => c.status)).toEqual([403, 200]);
    expect(mine[1]!.at - mine[0]!.at).toBeGreaterThanOrEqual(190); // DINGTALK_QPS_BACKOFF_MS=200
    expect(botAfter(DINGTALK_GROUP, before)).toHaveLength(1);
  });

  it('retries a flow-controlled user of a one-to-one send, and refreshes a revoked token', async () => {
    const dm = fake.world.dmCid('zhouting');
    const path = '/v1.0/robot/oToMessages/batchSend';
    const calls = fake.api.calls(path).length;
    fake.api.flowControlled.set('zhouting', 1);
    fake.api.revokeTokens();
    const before = seqNow();
    fake.say(dm, 'zhouting', '帮助', { sessionTtlMs: 1 });
    const m = await reply(dm, before);
    expect(m.via).toBe('robot-api');
    const mine = fake.api.calls(path).slice(calls);
    expect(mine.map((c) => c.status)).toEqual([401, 200, 200]);
    expect(botAfter(dm, before)).toHaveLength(1);
  });

  it('sends batches of at most 20 users and retries only the flow-controlled ones', async () => {
    const ids = Array.from({ length: 45 }, (_, i) => `staff${String(i).padStart(2, '0')}`);
    for (const id of ids) fake.world.addUser(id, id);
    fake.api.flowControlled.set('staff03', 1);
    fake.api.flowControlled.set('staff27', 2);
    fake.api.invalidStaff.add('staff44');
    const log = pino({ level: 'silent' });
    const api = new OpenApiClient({ baseUrl: fake.baseUrl, legacyBaseUrl: fake.baseUrl, clientId: FAKE_APP.clientId, clientSecret: FAKE_APP.clientSecret, qpsBackoffMs: 50 });
    const sender = new DingTalkSender(api, new SessionWebhooks([]), t.app.services.directory, { robotCode: FAKE_APP.robotCode, cardTemplateId: FAKE_APP.templateId, dingRemindType: 1, qpsBackoffMs: 50, log, translatorFor: async () => t.app.services.locales.translator() });
    const calls = fake.api.calls('/v1.0/robot/oToMessages/batchSend').length;
    const result = await sender.sendToUsers(ids, 'sampleText', { content: '批量通知' });
    expect(result).toEqual({ invalid: ['staff44'], pending: [] });
    const sizes = fake.api.calls('/v1.0/robot/oToMessages/batchSend').slice(calls).map((c) => (c.body.userIds as string[]).length);
    expect(sizes).toEqual([20, 20, 5, 2, 1]);
    for (const id of ids.slice(0, 44)) expect(fake.world.botMessages(fake.world.dmCid(id)).filter((m) => m.text === '批量通知')).toHaveLength(1);
  });

  it('stops on a monthly-quota error: the message is marked failed and the chat is told', async () => {
    const dm = fake.world.dmCid('zhaolei');
    fake.api.fault('/v1.0/card/instances/createAndDeliver', { status: 403, body: { code: 'Forbidden.AccessDenied.ApiCountLimitForOrg', message: 'quota' } });
    const before = seqNow();
    fake.say(dm, 'zhaolei', '提醒 1秒后 额度测试');
    const notice = await fake.waitFor(() => botAfter(dm, before).find((m) => m.text?.startsWith('⚠️')), 15_000, 'the failure notice');
    expect(notice.text).toContain('额度');
    await expect
      .poll(async () => {
        const rows = await t.app.services.db.outboundMessage.findMany({ where: { targetId: 'dingtalk:zhaolei', status: 'failed' } });
        return rows.some((r) => r.id.startsWith('card-') && r.lastError?.includes('ApiCountLimitForOrg'));
      }, { timeout: 5000 })
      .toBe(true);
  });

  it('sends an urgent DING once per idempotency key', async () => {
    const adapter = dingtalk();
    await adapter.sendUrgent(['dingtalk:zhaolei', 'dingtalk:wangfang'], '紧急：会场断电', 'incident-1');
    await adapter.sendUrgent(['dingtalk:zhaolei', 'dingtalk:wangfang'], '紧急：会场断电', 'incident-1');
    expect(fake.api.dings).toEqual([{ remindType: 1, receivers: ['zhaolei', 'wangfang'], content: '紧急：会场断电' }]);
  });

  it('reads busy times from the DingTalk calendar (free/busy), and the conflict check uses them', async () => {
    const start = new Date(Date.now() + 3 * 3600_000);
    const end = new Date(start.getTime() + 3600_000);
    fake.world.busy.set('zhaolei', [{ start, end }, { start: new Date(Date.now() + 10 * 86_400_000), end: new Date(Date.now() + 10 * 86_400_000 + 3600_000) }]);
    const slots = await dingtalk().freeBusy!('dingtalk:zhaolei', new Date(), new Date(Date.now() + 86_400_000));
    expect(slots).toEqual([{ start, end }]);
    expect(fake.api.calls('/topapi/v2/user/get')).toHaveLength(1);
    // Cached unionId: a second query does not look the person up again.
    await dingtalk().freeBusy!('dingtalk:zhaolei', new Date(), new Date(Date.now() + 86_400_000));
    expect(fake.api.calls('/topapi/v2/user/get')).toHaveLength(1);
    // An executive's schedule includes it, reached through the calendar port, never the adapter directly.
    const items = await t.app.services.schedule.itemsInWindow('dingtalk:zhaolei', new Date(), new Date(Date.now() + 86_400_000));
    expect(items.map((i) => i.start.getTime())).toContain(start.getTime());
    await expect(dingtalk().freeBusy!('dingtalk:nobody', new Date(), new Date(Date.now() + 3600_000))).rejects.toThrow(/60121/);
  });

  it('accepts signed robot HTTP callbacks and refuses bad, stale and replayed ones', async () => {
    const post = (timestamp: string, sign: string, body: object) =>
      fetch(`${t.baseUrl}/dingtalk/robot`, { method: 'POST', headers: { 'content-type': 'application/json', timestamp, sign }, body: JSON.stringify(body) });
    const session = fake.api.issueSession(DINGTALK_GROUP, 60_000);
    const body = {
      msgId: 'http-msg-1', msgtype: 'text', text: { content: ' 帮助' }, conversationId: DINGTALK_GROUP, conversationType: '2', conversationTitle: '会务筹备群',
      senderStaffId: 'wangfang', senderNick: '王芳', isInAtList: true, sessionWebhook: session.url, sessionWebhookExpiredTime: session.expiresAt, createAt: Date.now(),
    };
    const now = String(Date.now());
    expect((await post(now, 'bad', body)).status).toBe(401);
    const stale = String(Date.now() - 2 * 3_600_000);
    expect((await post(stale, dingTalkSign(stale, HTTP_SECRET), body)).status).toBe(401);
    const before = seqNow();
    expect((await post(now, dingTalkSign(now, HTTP_SECRET), body)).status).toBe(200);
    expect((await post(now, dingTalkSign(now, HTTP_SECRET), body)).status).toBe(409);
    await reply(DINGTALK_GROUP, before);
    // The sign does not cover the body: a captured pair with another message is refused too.
    const forged = { ...body, msgId: 'http-msg-forged', text: { content: ' 会议 取消 #1' } };
    expect((await post(now, dingTalkSign(now, HTTP_SECRET), forged)).status).toBe(409);
    // A timestamp ten minutes off is outside the default five-minute window.
    const tenMinutes = String(Date.now() - 10 * 60_000);
    expect((await post(tenMinutes, dingTalkSign(tenMinutes, HTTP_SECRET), { ...body, msgId: 'http-msg-2' })).status).toBe(401);
    // The used sign is remembered in Redis, so another instance on the same Redis refuses it as well.
    const redis = connectRedis(t.env.REDIS_URL!);
    try {
      const keys = await redis.keys(`${t.env.HUIWU_QUEUE_PREFIX}:once:dingtalk-sign:*`);
      expect(keys).toHaveLength(1);
      expect(await redis.pttl(keys[0]!)).toBeLessThanOrEqual(600_000);
    } finally {
      redis.disconnect();
    }
  });
});

describe('DingTalk images (legacy media/upload, then sampleImageMsg)', () => {
  const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
  const chart = (title: string) => barChartPng({ title, labels: ['A', 'B', 'C'], values: [4.4, 4.8, 3.7] });
  const rowSha = async (mediaId: string) => sha256((await t.app.services.db.media.findUniqueOrThrow({ where: { id: mediaId } })).data);
  const sendImage = (id: string, target: OutboundTarget, mediaId: string, alt: string) =>
    t.app.services.outbox.enqueue({ id, target, content: { type: 'image', mediaId, alt }, priority: PRIORITY.normal });
  const image = (cid: string, after: number, what: string) => fake.waitFor(() => botAfter(cid, after).find((m) => m.image), 10_000, what);

  it('sends an image to a person and to a group through the robot APIs, uploading it once', async () => {
    const mediaId = await t.app.services.media.putPng(chart('满意度'));
    const uploads = fake.api.calls('/media/upload').length;
    // The group has a live session webhook (earlier tests): images still go through the robot API.
    const before = seqNow();
    await sendImage('dt-img-dm', { kind: 'user', userId: 'dingtalk:wangfang' }, mediaId, '满意度图表');
    const dm = await image(fake.world.dmCid('wangfang'), before, 'the image DM');
    expect(dm.via).toBe('robot-api');
    expect(sha256(dm.image!.data!)).toBe(await rowSha(mediaId));
    const upload = fake.api.calls('/media/upload').slice(uploads);
    expect(upload.map((c) => c.status)).toEqual([200]);
    expect(fake.world.media.get(dm.image!.mediaId!)).toMatchObject({ type: 'image', contentType: 'image/png', filename: `${mediaId}.png` });
    const batch = fake.api.calls('/v1.0/robot/oToMessages/batchSend').at(-1)!;
    expect(batch.body).toMatchObject({ robotCode: FAKE_APP.robotCode, userIds: ['wangfang'], msgKey: 'sampleImageMsg' });
    expect(JSON.parse(String(batch.body.msgParam))).toEqual({ photoURL: dm.image!.mediaId });

    await sendImage('dt-img-group', { kind: 'conversation', conversationId: `dingtalk:${DINGTALK_GROUP}` }, mediaId, '满意度图表');
    const group = await image(DINGTALK_GROUP, before, 'the group image');
    expect(group.via).toBe('robot-api');
    expect(sha256(group.image!.data!)).toBe(await rowSha(mediaId));
    expect(group.image!.mediaId).toBe(dm.image!.mediaId);
    expect(fake.api.calls('/v1.0/robot/groupMessages/send').at(-1)!.body).toMatchObject({ openConversationId: DINGTALK_GROUP, msgKey: 'sampleImageMsg' });
    expect(fake.api.calls('/media/upload').slice(uploads)).toHaveLength(1);
  });

  it('uploads again once when DingTalk refuses the cached media id', async () => {
    const mediaId = await t.app.services.media.putPng(chart('重传'));
    const dm = fake.world.dmCid('zhouting');
    const before = seqNow();
    await sendImage('dt-img-re-1', { kind: 'user', userId: 'dingtalk:zhouting' }, mediaId, '图表');
    const first = await image(dm, before, 'the first image');
    fake.world.media.clear();
    const uploads = fake.api.calls('/media/upload').length;
    const mid = seqNow();
    await sendImage('dt-img-re-2', { kind: 'user', userId: 'dingtalk:zhouting' }, mediaId, '图表');
    const second = await image(dm, mid, 'the re-uploaded image');
    expect(second.image!.mediaId).not.toBe(first.image!.mediaId);
    expect(sha256(second.image!.data!)).toBe(await rowSha(mediaId));
    expect(fake.api.calls('/media/upload').slice(uploads)).toHaveLength(1);
  });

  it('sends the alt text, with a warning, when the upload is refused for good', async () => {
    const warn = vi.spyOn(t.app.services.log, 'warn');
    try {
      const mediaId = await t.app.services.media.putPng(chart('失败'));
      fake.api.fault('/media/upload', { status: 200, body: { errcode: 40005, errmsg: 'scripted: 不合法的文件类型' } });
      const before = seqNow();
      await sendImage('dt-img-fail', { kind: 'conversation', conversationId: `dingtalk:${DINGTALK_GROUP}` }, mediaId, '满意度图表：上传失败时的文字');
      const m = await reply(DINGTALK_GROUP, before, 'the alt text');
      expect(m.text).toBe('满意度图表：上传失败时的文字');
      expect(m.image).toBeUndefined();
      expect(warn.mock.calls.some(([, message]) => typeof message === 'string' && message.includes('upload failed for good'))).toBe(true);
      await expect.poll(async () => (await t.app.services.db.outboundMessage.findUniqueOrThrow({ where: { id: 'dt-img-fail' } })).status, { timeout: 5000 }).toBe('sent');
    } finally {
      warn.mockRestore();
    }
  });
});
