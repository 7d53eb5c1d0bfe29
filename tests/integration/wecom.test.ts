/**
 * WeCom app callback mode end to end: the real app (real Redis, SQLite, HTTP) against the fake
 * WeCom API and the callback driver, nothing of ours mocked.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { barChartPng } from '../../src/charts/bar-chart.js';
import { WecomAdapter } from '../../src/platforms/wecom/adapter.js';
import { PRIORITY } from '../../src/queue/queues.js';
import { WecomCallbackDriver } from '../fakes/wecom/callback-driver.js';
import { eventually, startWecomWorld, type WecomWorld } from '../fakes/wecom/world.js';

describe('WeCom app callback mode', () => {
  let w: WecomWorld;
  beforeAll(async () => {
    w = await startWecomWorld({ bot: false });
  });
  afterAll(async () => {
    await w?.close();
  });

  const db = () => w.t.app.services.db;
  const say = (user: string, text: string, msgId = WecomCallbackDriver.msgId()) => w.callback.post(w.callback.textXml(user, text, msgId));

  it('answers the URL verification with the bare decrypted echostr', async () => {
    const res = await w.callback.verifyUrl('1616140317555161061');
    expect(res).toEqual({ status: 200, body: '1616140317555161061' });
    // An echostr whose base64 has + and / survives URL decoding.
    const tricky = await w.callback.verifyUrl('echo+with/slash==?');
    expect(tricky.body).toBe('echo+with/slash==?');
  });

  it('an encrypted text command gets its reply through message/send', async () => {
    const res = await say('wangfang', '帮助');
    expect(res).toMatchObject({ status: 200, body: '', deliveries: 1 });
    const reply = await eventually(() => w.api.messages.find((m) => m.to === 'wangfang' && m.text?.includes('提醒')), 10_000, 'the reply');
    expect(reply.msgtype).toBe('text');
    const sent = w.api.calls('message/send').find((c) => c.errcode === 0)!;
    expect(sent.body).toMatchObject({ touser: 'wangfang', agentid: 1000002, msgtype: 'text' });
    expect(sent.query.access_token).toBeTruthy();
    // The user was recorded with the name from the contacts API, fetched after the ACK.
    await eventually(async () => (await w.t.app.services.directory.user('wecom:wangfang'))?.name === '王芳', 5000);
  });

  it('a card click updates the card with the click response code', async () => {
    await say('lichen', '提醒 1秒后 准备茶歇');
    const msg = await eventually(() => w.api.messages.find((m) => m.to === 'lichen' && m.taskId), 15_000, 'the reminder card');
    const taskId = msg.taskId!;
    expect(w.api.cardFor('lichen', taskId)!.card.button_list!.map((b) => b.key)).toEqual(['reminder.ack', 'reminder.snooze']);
    const code = w.api.clickCode(taskId, 'lichen');
    const res = await w.callback.post(w.callback.cardEventXml({ from: 'lichen', taskId, eventKey: 'reminder.ack', responseCode: code }));
    expect(res.status).toBe(200);
    const view = await eventually(() => w.api.cardFor('lichen', taskId)?.replacedWith, 10_000, 'the card update');
    expect(view).toContain('已知晓');
    const update = w.api.calls('message/update_template_card').at(-1)!;
    expect(update.body).toMatchObject({ response_code: code, userids: ['lichen'], agentid: 1000002 });
  });

  it('falls back to a fresh card when the response code cannot be used', async () => {
    await say('zhouting', '提醒 1秒后 检查投影');
    const msg = await eventually(() => w.api.messages.find((m) => m.to === 'zhouting' && m.taskId), 15_000, 'the card');
    w.api.expireCodes();
    const before = w.api.messages.length;
    // Clicked with a code WeCom no longer accepts (expired): the snooze closes the card through a fresh message.
    await w.callback.post(w.callback.cardEventXml({ from: 'zhouting', taskId: msg.taskId!, eventKey: 'reminder.snooze', responseCode: 'expired-code' }));
    const fresh = await eventually(() => w.api.messages.slice(before).find((m) => m.to === 'zhouting'), 10_000, 'the fresh card');
    expect(fresh.text).toContain('已推迟');
    expect(fresh.msgtype).toBe('markdown');
  });

  it('handles a retried callback once', async () => {
    const msgId = WecomCallbackDriver.msgId();
    const xml = w.callback.textXml('wangfang', '提醒 列表', msgId);
    const sends = () => w.api.messages.filter((m) => m.to === 'wangfang').length;
    const before = sends();
    // WeCom re-sends the same message (same MsgId) up to 3 more times.
    for (let i = 0; i < 4; i++) expect((await w.callback.post(xml)).status).toBe(200);
    await eventually(() => sends() > before, 10_000, 'the reply');
    await new Promise((r) => setTimeout(r, 500));
    expect(sends()).toBe(before + 1);
    expect(await db().inboundEvent.count({ where: { id: `wecom:app-msg-${msgId}` } })).toBe(1);
  });

  describe('refuses forged, stale and malformed callbacks with nothing stored', () => {
    const cases: Array<[string, () => Promise<{ status: number }>]> = [
      ['a forged signature', () => w.callback.post(w.callback.textXml('intruder', '帮助', '1'), { signature: 'f'.repeat(40), maxDeliveries: 1 })],
      ['a wrong corp id', () => w.callback.post(w.callback.textXml('intruder', '帮助', '2'), { receiveId: 'wx5823bf96d3bd56c7', maxDeliveries: 1 })],
      ['a stale timestamp', () => w.callback.post(w.callback.textXml('intruder', '帮助', '3'), { timestamp: Math.floor(Date.now() / 1000) - 3600, maxDeliveries: 1 })],
      ['broken XML', () => w.callback.post('', { rawBody: '<xml><Encrypt><![CDATA[abc', maxDeliveries: 1 })],
      ['broken inner XML', () => w.callback.post('<xml><FromUserName>intruder</FromUserName', { maxDeliveries: 1 })],
      ['a missing signature', async () => ({ status: (await fetch(w.callback.url, { method: 'POST', body: '<xml/>' })).status })],
    ];
    it.each(cases)('%s', async (_name, send) => {
      const events = await db().inboundEvent.count();
      const res = await send();
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      await new Promise((r) => setTimeout(r, 200));
      expect(await db().inboundEvent.count()).toBe(events);
      expect(await db().user.count({ where: { id: 'wecom:intruder' } })).toBe(0);
      expect(w.api.messages.filter((m) => m.to === 'intruder')).toHaveLength(0);
    });
  });

  it('refreshes an expired token once and retries the call', async () => {
    const tokensBefore = w.api.calls('gettoken').length;
    w.api.expireTokens();
    const msgId = WecomCallbackDriver.msgId();
    await say('wangfang', '帮助 提醒', msgId);
    // One 42001, then the same call again with a fresh token, delivered.
    await eventually(() => {
      const sends = w.api.calls('message/send');
      const expired = sends.findIndex((c) => c.errcode === 42001);
      return expired >= 0 && sends.slice(expired + 1).some((c) => c.errcode === 0 && c.query.access_token !== sends[expired]!.query.access_token);
    }, 10_000, 'the retried send with a new token');
    expect(w.api.calls('gettoken').length).toBe(tokensBefore + 1);
  });

  it('refreshes a revoked token (40014) the same way', async () => {
    w.api.revokeTokens();
    const before = w.api.messages.length;
    await say('wangfang', '帮助');
    await eventually(() => w.api.messages.length > before, 10_000, 'the reply');
    expect(w.api.calls('message/send').some((c) => c.errcode === 40014)).toBe(true);
  });

  it('backs off after a throttle error and delivers once', async () => {
    w.api.fail('message/send', 45009, 1);
    const before = w.api.messages.filter((m) => m.to === 'zhaolei').length;
    const start = w.api.requests.length;
    await say('zhaolei', '帮助');
    await eventually(() => w.api.messages.filter((m) => m.to === 'zhaolei').length > before, 15_000, 'the delivery');
    await new Promise((r) => setTimeout(r, 500));
    const sends = w.api.requests.slice(start).filter((r) => r.api === 'message/send' && r.body?.touser === 'zhaolei');
    expect(sends.map((s) => s.errcode)).toEqual([45009, 0]);
    // WECOM_THROTTLE_PAUSE_MS=300 in the test world: no call to WeCom inside the pause.
    expect(sends[1]!.at - sends[0]!.at).toBeGreaterThanOrEqual(290);
    expect(w.api.messages.filter((m) => m.to === 'zhaolei').length).toBe(before + 1);
  });

  it('sends an urgent notification as a 🚨 message, once per idempotency key', async () => {
    const wecom = w.t.app.adapters.find((a) => a.name === 'wecom')!;
    await wecom.sendUrgent!(['wecom:wangfang'], 'P1 事件 #9 无人认领', 'urgent-test-1');
    await wecom.sendUrgent!(['wecom:wangfang'], 'P1 事件 #9 无人认领', 'urgent-test-1');
    const urgent = w.api.messages.filter((m) => m.to === 'wangfang' && m.text?.includes('🚨'));
    expect(urgent).toHaveLength(1);
    expect(urgent[0]!.text).toContain('P1 事件 #9');
  });

  it('gives up on a permanent error without retrying', async () => {
    w.api.fail('message/send', 60020, 1);
    const start = w.api.requests.length;
    const msgId = WecomCallbackDriver.msgId();
    await say('wangfang', '帮助', msgId);
    await eventually(async () => (await db().outboundMessage.findFirst({ where: { id: { contains: msgId } } }))?.status === 'failed', 10_000, 'the failed row');
    expect(w.api.requests.slice(start).filter((r) => r.api === 'message/send')).toHaveLength(1);
  });
});

describe('WeCom images (app: media/upload, then image messages)', () => {
  let w: WecomWorld;
  beforeAll(async () => {
    w = await startWecomWorld({ bot: false });
  });
  afterAll(async () => {
    await w?.close();
  });

  const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
  const chart = (title: string) => barChartPng({ title, labels: ['A', 'B', 'C'], values: [4.6, 3.9, 4.2] });
  const rowSha = async (mediaId: string) => sha256((await w.t.app.services.db.media.findUniqueOrThrow({ where: { id: mediaId } })).data);
  const sendImage = async (id: string, target: { kind: 'user'; userId: string } | { kind: 'conversation'; conversationId: string }, mediaId: string, alt: string) =>
    w.t.app.services.outbox.enqueue({ id, target, content: { type: 'image', mediaId, alt }, priority: PRIORITY.normal });
  const adapter = () => w.t.app.adapters.find((a): a is WecomAdapter => a instanceof WecomAdapter)!;

  it('sends an image to a person and to an app group chat, uploading it once', async () => {
    const mediaId = await w.t.app.services.media.putPng(chart('满意度'));
    const uploadsBefore = w.api.calls('media/upload').length;
    await sendImage('img-dm-1', { kind: 'user', userId: 'wecom:wangfang' }, mediaId, '满意度图表：A 4.6');
    const dm = await eventually(() => w.api.messages.find((m) => m.to === 'wangfang' && m.msgtype === 'image'), 10_000, 'the image DM');
    expect(sha256(dm.image!)).toBe(await rowSha(mediaId));
    const upload = w.api.calls('media/upload').slice(uploadsBefore);
    expect(upload).toHaveLength(1);
    expect(upload[0]!.query).toMatchObject({ type: 'image' });
    expect(upload[0]!.errcode).toBe(0);
    expect(w.api.uploads.get(dm.mediaId!)).toMatchObject({ contentType: 'image/png', filename: `${mediaId}.png` });
    expect(w.api.calls('message/send').at(-1)!.body).toMatchObject({ touser: 'wangfang', agentid: 1000002, msgtype: 'image', image: { media_id: dm.mediaId } });

    // The same image to an app-owned group chat: appchat/send with the cached media id, no new upload.
    const conversationId = await adapter().createAppChat('会务筹备群', 'wecom:wangfang', ['wecom:wangfang', 'wecom:zhaolei']);
    const chatid = conversationId.replace(/^wecom:appchat:/, '');
    await sendImage('img-chat-1', { kind: 'conversation', conversationId }, mediaId, '满意度图表：A 4.6');
    const group = await eventually(() => w.api.messages.find((m) => m.to === `chat:${chatid}` && m.msgtype === 'image'), 10_000, 'the group image');
    expect(sha256(group.image!)).toBe(await rowSha(mediaId));
    expect(group.mediaId).toBe(dm.mediaId);
    expect(w.api.calls('appchat/send').at(-1)!.body).toMatchObject({ chatid, msgtype: 'image', image: { media_id: dm.mediaId } });

    // A second send to a person reuses the upload too.
    await sendImage('img-dm-2', { kind: 'user', userId: 'wecom:zhaolei' }, mediaId, '满意度图表：A 4.6');
    const again = await eventually(() => w.api.messages.find((m) => m.to === 'zhaolei' && m.msgtype === 'image'), 10_000, 'the second image DM');
    expect(again.mediaId).toBe(dm.mediaId);
    expect(w.api.calls('media/upload').slice(uploadsBefore)).toHaveLength(1);
  });

  it('uploads again once when WeCom no longer knows the cached media id', async () => {
    const mediaId = await w.t.app.services.media.putPng(chart('过期'));
    await sendImage('img-exp-1', { kind: 'user', userId: 'wecom:zhouting' }, mediaId, '图表');
    const first = await eventually(() => w.api.messages.find((m) => m.to === 'zhouting' && m.msgtype === 'image'), 10_000, 'the first image');
    w.api.expireMedia();
    const uploadsBefore = w.api.calls('media/upload').length;
    await sendImage('img-exp-2', { kind: 'user', userId: 'wecom:zhouting' }, mediaId, '图表');
    const second = await eventually(() => w.api.messages.find((m) => m.to === 'zhouting' && m.msgtype === 'image' && m.mediaId !== first.mediaId), 10_000, 'the re-uploaded image');
    expect(sha256(second.image!)).toBe(await rowSha(mediaId));
    expect(w.api.calls('media/upload').slice(uploadsBefore)).toHaveLength(1);
    expect(w.api.calls('message/send').filter((c) => c.errcode === 40007)).toHaveLength(1);
  });

  it('sends the alt text, with a warning, when the upload is refused for good', async () => {
    const warn = vi.spyOn(w.t.app.services.log, 'warn');
    try {
      const mediaId = await w.t.app.services.media.putPng(chart('失败'));
      w.api.fail('media/upload', 40005);
      const before = w.api.messages.length;
      await sendImage('img-fail-1', { kind: 'user', userId: 'wecom:lichen' }, mediaId, '满意度图表：上传失败时的文字');
      const msg = await eventually(() => w.api.messages.slice(before).find((m) => m.to === 'lichen'), 10_000, 'the alt text');
      expect(msg).toMatchObject({ msgtype: 'text', text: '满意度图表：上传失败时的文字' });
      expect(w.api.calls('media/upload').at(-1)!.errcode).toBe(40005);
      expect(warn.mock.calls.some(([, message]) => typeof message === 'string' && message.includes('upload failed for good'))).toBe(true);
      await expect.poll(async () => (await w.t.app.services.db.outboundMessage.findUniqueOrThrow({ where: { id: 'img-fail-1' } })).status, { timeout: 5000 }).toBe('sent');
    } finally {
      warn.mockRestore();
    }
  });
});

describe('WeCom calendar busy times', () => {
  let w: WecomWorld;
  beforeAll(async () => {
    w = await startWecomWorld({ bot: false, env: { WECOM_SCHEDULE_CALENDARS: 'calLeaders' } });
  });
  afterAll(async () => {
    await w?.close();
  });

  it('reads busy times of a person from the configured calendars, paging through them', async () => {
    const now = Math.floor(Date.now() / 1000);
    const filler = Array.from({ length: 1200 }, (_, i) => ({ schedule_id: `f${i}`, summary: '其他', start_time: now + 3600, end_time: now + 7200, attendees: [{ userid: 'someone' }] }));
    w.api.calendars.set('calLeaders', [
      ...filler,
      { schedule_id: 's1', summary: '董事会', start_time: now + 3600, end_time: now + 7200, attendees: [{ userid: 'lizong' }] },
      { schedule_id: 's2', summary: '下周出差', start_time: now + 8 * 86400, end_time: now + 9 * 86400, attendees: [{ userid: 'lizong' }] },
    ]);
    const wecom = w.t.app.adapters.find((a) => a.name === 'wecom')!;
    const slots = await wecom.freeBusy!('wecom:lizong', new Date(), new Date(Date.now() + 86_400_000));
    expect(slots).toEqual([{ start: new Date((now + 3600) * 1000), end: new Date((now + 7200) * 1000), title: '董事会' }]);
    expect(w.api.calls('oa/schedule/get_by_calendar').map((c) => c.body?.offset)).toEqual([0, 1000]);
    // Cached for a minute: a second check does not read the calendars again.
    await wecom.freeBusy!('wecom:lizong', new Date(), new Date(Date.now() + 86_400_000));
    expect(w.api.calls('oa/schedule/get_by_calendar')).toHaveLength(2);
  });
});
