/**
 * The intelligent bot long connection end to end: the real app against the fake WS server
 * (and the fake API for the app paths). Checks which wire path each notification takes.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { barChartPng } from '../../src/charts/bar-chart.js';
import { PRIORITY } from '../../src/queue/queues.js';
import { eventually, startWecomWorld, type WecomWorld } from '../fakes/wecom/world.js';

describe('WeCom intelligent bot (long connection)', () => {
  let w: WecomWorld;
  beforeAll(async () => {
    w = await startWecomWorld();
  });
  afterAll(async () => {
    await w?.close();
  });

  const newMessages = (from: number) => w.bot.messages.filter((m) => m.seq > from);
  const lastSeq = () => w.bot.messages.at(-1)?.seq ?? 0;

  it('subscribes with the bot id and secret first', () => {
    expect(w.bot.frames[0]).toMatchObject({ cmd: 'aibot_subscribe', body: { bot_id: 'huiwubot', secret: 'bot-secret' } });
  });

  it('answers a group message on its own frame (aibot_respond_msg)', async () => {
    const from = lastSeq();
    w.bot.pushText({ userid: 'wangfang', chatid: 'grp1', content: '@会务助手 帮助' });
    const reply = await eventually(() => newMessages(from).find((m) => m.conversation === 'group:grp1'), 10_000, 'the reply');
    expect(reply.cmd).toBe('aibot_respond_msg');
    expect(reply.text).toContain('提醒');
  });

  it('sends a due group reminder proactively (aibot_send_msg)', async () => {
    const from = lastSeq();
    w.bot.pushText({ userid: 'wangfang', chatid: 'grp1', content: '@会务助手 提醒 本群 1秒后 彩排开始' });
    const card = await eventually(() => newMessages(from).find((m) => m.conversation === 'group:grp1' && m.card), 15_000, 'the group card');
    expect(card.cmd).toBe('aibot_send_msg');
    expect(card.card!.button_list!.map((b) => b.key)).toContain('reminder.ack');
  });

  it('updates a clicked bot card within 5 s (aibot_respond_update_msg)', async () => {
    const [taskId, card] = [...w.bot.cards.entries()].at(-1)!;
    w.bot.pushCardEvent({ userid: 'wangfang', chatid: 'grp1', taskId, eventKey: 'reminder.ack' });
    await eventually(() => w.bot.cards.get(taskId) !== card && w.bot.cards.get(taskId), 10_000, 'the update');
    expect(w.bot.frames.some((f) => f.cmd === 'aibot_respond_update_msg')).toBe(true);
    expect(w.bot.cards.get(taskId)!.main_title.desc).toContain('已知晓');
    expect(w.bot.cards.get(taskId)!.button_list ?? []).toHaveLength(0);
  });

  it('sends a person’s reminder through the app when it is configured (message/send)', async () => {
    const before = w.api.messages.length;
    w.bot.pushText({ userid: 'zhaolei', chatid: 'grp1', content: '@会务助手 提醒 1秒后 取资料' });
    const msg = await eventually(() => w.api.messages.slice(before).find((m) => m.to === 'zhaolei' && m.taskId), 15_000, 'the DM card');
    expect(msg.msgtype).toBe('template_card');
  });

  it('falls back to a proactive message when the reply frame is refused (846605)', async () => {
    w.bot.failNext('aibot_respond_msg', 846605);
    const from = lastSeq();
    w.bot.pushText({ userid: 'wangfang', chatid: 'grp2', content: '@会务助手 帮助' });
    const reply = await eventually(() => newMessages(from).find((m) => m.conversation === 'group:grp2'), 10_000, 'the reply');
    expect(reply.cmd).toBe('aibot_send_msg');
  });

  it('reconnects with backoff after the connection drops, and keeps working', async () => {
    const subs = w.bot.subscriptions;
    w.bot.dropConnection();
    await w.bot.waitForSubscriptions(subs + 1, 10_000);
    const from = lastSeq();
    w.bot.pushText({ userid: 'wangfang', content: '帮助' });
    const reply = await eventually(() => newMessages(from).find((m) => m.conversation === 'dm:wangfang'), 10_000, 'the reply after reconnect');
    expect(reply.text).toContain('提醒');
  });

  it('handles a redelivered bot message once', async () => {
    const from = lastSeq();
    const msgid = 'redelivered-msg-1';
    w.bot.pushText({ userid: 'wangfang', chatid: 'grp3', content: '@会务助手 帮助', msgid });
    w.bot.pushText({ userid: 'wangfang', chatid: 'grp3', content: '@会务助手 帮助', msgid });
    await eventually(() => newMessages(from).length > 0, 10_000, 'the reply');
    await new Promise((r) => setTimeout(r, 700));
    expect(newMessages(from).filter((m) => m.conversation === 'group:grp3')).toHaveLength(1);
    expect(await w.t.app.services.db.inboundEvent.count({ where: { id: `wecom:bot-msg-${msgid}` } })).toBe(1);
  });

  describe('images through the bot (chunked upload over the long connection)', () => {
    const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
    const chart = (title: string) => barChartPng({ title, labels: ['A', 'B'], values: [4.1, 4.7] });
    const rowSha = async (mediaId: string) => sha256((await w.t.app.services.db.media.findUniqueOrThrow({ where: { id: mediaId } })).data);
    const sendImage = (id: string, conversationId: string, mediaId: string, alt: string) =>
      w.t.app.services.outbox.enqueue({ id, target: { kind: 'conversation', conversationId }, content: { type: 'image', mediaId, alt }, priority: PRIORITY.normal });
    const inits = () => w.bot.frames.filter((f) => f.cmd === 'aibot_upload_media_init').length;

    it('sends an image to a bot group (aibot_send_msg), uploading it once for two sends', async () => {
      const mediaId = await w.t.app.services.media.putPng(chart('群图表'));
      const initsBefore = inits();
      const from = lastSeq();
      await sendImage('bot-img-1', 'wecom:group:grp1', mediaId, '图表');
      const first = await eventually(() => newMessages(from).find((m) => m.conversation === 'group:grp1' && m.image), 10_000, 'the group image');
      expect(first.cmd).toBe('aibot_send_msg');
      expect(sha256(first.image!)).toBe(await rowSha(mediaId));
      expect(inits() - initsBefore).toBe(1);
      expect(w.bot.frames.find((f) => f.cmd === 'aibot_upload_media_init' && f.body?.filename === `${mediaId}.png`)?.body).toMatchObject({ type: 'image', total_chunks: 1 });

      await sendImage('bot-img-2', 'wecom:group:grp2', mediaId, '图表');
      const second = await eventually(() => newMessages(from).find((m) => m.conversation === 'group:grp2' && m.image), 10_000, 'the second group image');
      expect(second.mediaId).toBe(first.mediaId);
      expect(inits() - initsBefore).toBe(1);
    });

    it('answers on the message frame with an image (aibot_respond_msg)', async () => {
      const mediaId = await w.t.app.services.media.putPng(chart('回复图表'));
      const from = lastSeq();
      w.bot.pushText({ userid: 'wangfang', chatid: 'grp1', content: '@会务助手 帮助', msgid: 'img-reply-1' });
      await eventually(() => newMessages(from).find((m) => m.conversation === 'group:grp1' && m.text), 10_000, 'the text reply');
      await sendImage('reply-wecom-bot-msg-img-reply-1-9', 'wecom:group:grp1', mediaId, '图表');
      const image = await eventually(() => newMessages(from).find((m) => m.conversation === 'group:grp1' && m.image), 10_000, 'the image reply');
      expect(image.cmd).toBe('aibot_respond_msg');
      expect(sha256(image.image!)).toBe(await rowSha(mediaId));
    });

    it('sends the alt text, with a warning, when the upload is refused for good', async () => {
      const warn = vi.spyOn(w.t.app.services.log, 'warn');
      try {
        const mediaId = await w.t.app.services.media.putPng(chart('上传失败'));
        w.bot.failNext('aibot_upload_media_init', 40005);
        const from = lastSeq();
        await sendImage('bot-img-fail', 'wecom:group:grp1', mediaId, '图表：上传失败时的文字');
        const msg = await eventually(() => newMessages(from).find((m) => m.conversation === 'group:grp1'), 10_000, 'the alt text');
        expect(msg).toMatchObject({ cmd: 'aibot_send_msg', text: '图表：上传失败时的文字' });
        expect(msg.image).toBeUndefined();
        expect(warn.mock.calls.some(([, message]) => typeof message === 'string' && message.includes('upload failed for good'))).toBe(true);
      } finally {
        warn.mockRestore();
      }
    });
  });
});
