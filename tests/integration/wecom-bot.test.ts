/**
 * The intelligent bot long connection end to end: the real app against the fake WS server
 * (and the fake API for the app paths). Checks which wire path each notification takes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
});
