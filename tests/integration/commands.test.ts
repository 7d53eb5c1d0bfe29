/** The command router as users meet it: help, suggestions, aliases, and staying quiet in group chatter. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/harness.js';

const GROUP = 'prep-group';
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('commands', () => {
  it('帮助 lists every command with an example', async () => {
    const reply = await t.sim.ask(GROUP, 'wangfang', '@会务助手 帮助');
    expect(reply.text).toContain('提醒');
    expect(reply.text).toContain('例如：提醒 明天下午3点 提交会议材料');
  });

  it('帮助 提醒 shows the usage of one command; /help remind answers the same in English', async () => {
    const zh = await t.sim.ask(GROUP, 'wangfang', '帮助 提醒');
    expect(zh.text).toContain('用法');
    expect(zh.text).toContain('提醒 列表');
    const en = await t.sim.ask(GROUP, 'wangfang', '/help remind');
    expect(en.text).toContain('Usage:');
    expect(en.text).toContain('remind list');
    expect(en.text).not.toMatch(/[\u4e00-\u9fff]{4}/);
    const zhAgain = await t.sim.ask(GROUP, 'wangfang', '帮助 remind');
    expect(zhAgain.text).toBe(zh.text);
  });

  it('suggests the closest command for a typo', async () => {
    const reply = await t.sim.ask(GROUP, 'wangfang', '@会务助手 提姓 明天9点 开会');
    expect(reply.text).toContain('没有「提姓」这个命令');
    expect(reply.text).toContain('提醒');
    const en = await t.sim.ask('dm-wangfang', 'wangfang', 'remnd me tomorrow 9am x');
    expect(en.text).toContain('remind');
  });

  it('accepts full-width punctuation and spaces, and the bot mention anywhere', async () => {
    const reply = await t.sim.ask(GROUP, 'wangfang', '提醒　明天　１０：３０　对流程 @会务助手');
    expect(reply.text).toContain('已设置提醒');
    expect(reply.text).toMatch(/\d{4}-\d{2}-\d{2} 10:30/);
  });

  it('hands a group message to the bot only when it is addressed (@会务助手 or a leading /), as DingTalk and WeCom do', async () => {
    const { db } = t.app.services;
    const remindersBefore = await db.reminder.count();
    const chatter: Array<[string, string]> = [
      ['zhouting', '会议室在哪里？'],
      ['wujun', '提醒大家明天带电脑'],
      ['wangfang', '帮助'],
    ];
    for (const [from, text] of chatter) {
      const id = await t.sim.say(GROUP, from, text);
      // The message is stored and shown to the group as chat between people.
      expect((await t.sim.messages(GROUP, id - 1)).find((m) => m.id === id)).toMatchObject({ from, text });
      // The API queues a message before answering 202; a queued one stays a job until it is recorded as processed.
      expect(await t.app.queues.inbound.getJob(`in-simulator_msg-${id}`)).toBeFalsy();
      expect(await db.inboundEvent.findUnique({ where: { id: `simulator:msg-${id}` } })).toBeNull();
    }
    expect(await db.reminder.count()).toBe(remindersBefore);

    // Addressed, the same words reach the bot; a DM needs neither the mention nor the slash.
    const slash = await t.sim.say(GROUP, 'wangfang', '/帮助');
    expect((await t.sim.nextBotMessage(GROUP, slash)).text).toContain('提醒');
    const mention = await t.sim.say(GROUP, 'zhouting', '@会务助手 会议室在哪里？');
    expect((await t.sim.nextBotMessage(GROUP, mention)).text).toBeTruthy();
    const dm = await t.sim.say('dm-zhouting', 'zhouting', '帮助');
    expect((await t.sim.nextBotMessage('dm-zhouting', dm)).text).toContain('提醒');
  });

  it('rejects unknown users, conversations and cards with 4xx and changes nothing', async () => {
    const before = await t.app.services.db.simMessage.count();
    expect((await t.sim.request('POST', '/sim/api/messages', { conversation: GROUP, from: 'nobody', text: '帮助' })).status).toBe(404);
    expect((await t.sim.request('POST', '/sim/api/messages', { conversation: 'nowhere', from: 'wangfang', text: '帮助' })).status).toBe(404);
    expect((await t.sim.request('POST', '/sim/api/messages', { conversation: 'dm-zhaolei', from: 'wangfang', text: '帮助' })).status).toBe(403);
    expect((await t.sim.request('POST', '/sim/api/messages', { conversation: GROUP, from: 'wangfang' })).status).toBe(400);
    expect((await t.sim.click('no-such-card', 'wangfang', 'reminder.ack')).status).toBe(404);
    expect((await t.sim.request('GET', '/sim/api/conversations/nowhere/messages')).status).toBe(404);
    expect(await t.app.services.db.simMessage.count()).toBe(before);
  });

  it('lists users and conversations with roles for every kind of demo user', async () => {
    const users = (await t.sim.request<Array<{ id: string; roles: string[]; department: string }>>('GET', '/sim/api/users')).body;
    const roles = new Set(users.flatMap((u) => u.roles));
    for (const role of ['organizer', 'executive', 'department_head', 'attendee']) expect(roles).toContain(role);
    const heads = users.filter((u) => u.roles.includes('department_head')).map((u) => u.department);
    expect(new Set(heads).size).toBeGreaterThanOrEqual(2);
    const conversations = (await t.sim.request<Array<{ id: string; name: string; type: string; members: string[] }>>('GET', '/sim/api/conversations')).body;
    expect(conversations.find((c) => c.type === 'group')?.name).toBe('会务筹备群');
    expect(conversations.filter((c) => c.type === 'direct')).toHaveLength(users.length);
    expect((await t.sim.request('GET', '/healthz')).body).toEqual({ ok: true, checks: { redis: 'ok', database: 'ok' } });
  });
});
