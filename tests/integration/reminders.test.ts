/**
 * Reminders end to end through the simulator API: real app, real Redis, real SQLite.
 */
import { QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_NAMES } from '../../src/queue/queues.js';
import { connectRedis } from '../../src/redis/connection.js';
import { formatDateTime } from '../../src/time/zoned.js';
import { startTestApp, type TestApp } from '../support/harness.js';
import type { SimMessage } from '../support/sim-client.js';

const GROUP = 'prep-group';
const YMD_HM = /\d{4}-\d{2}-\d{2} \d{2}:\d{2}/;

let t: TestApp;
let scheduleEvents: QueueEvents;
beforeAll(async () => {
  t = await startTestApp({ HUIWU_IMPORTANT_REPEAT_SECONDS: '2', HUIWU_IMPORTANT_MAX_REPEATS: '2' });
  scheduleEvents = new QueueEvents(QUEUE_NAMES.schedule, { connection: connectRedis(t.env.REDIS_URL!), prefix: t.env.HUIWU_QUEUE_PREFIX });
  await scheduleEvents.waitUntilReady();
});
afterAll(async () => {
  await scheduleEvents?.close();
  await t?.close();
});

const isReminderCard = (text: string) => (m: SimMessage) => m.card?.body === text;

async function lastId(conversation: string): Promise<number> {
  return (await t.sim.messages(conversation)).at(-1)?.id ?? 0;
}

describe('reminders', () => {
  it('delivers "提醒 10秒后 测试" once, to the setter\'s DM, within 2 s of its time', async () => {
    const dmBefore = await lastId('dm-wangfang');
    const sentAt = Date.now();
    const reply = await t.sim.ask(GROUP, 'wangfang', '提醒 10秒后 测试');
    expect(reply.text).toContain('已设置提醒');
    expect(reply.text).toMatch(YMD_HM);
    const id = /#(\d+)/.exec(reply.text ?? '')![1];

    const card = await t.sim.nextBotMessage('dm-wangfang', dmBefore, isReminderCard('测试'), 20_000);
    const lateness = Date.parse(card.at) - (sentAt + 10_000);
    expect(lateness).toBeGreaterThan(-1000);
    expect(lateness).toBeLessThan(2000);
    expect(card.card?.title).toContain(`#${id}`);
    expect(card.card?.actions?.map((a) => a.label)).toEqual(['知道了', '稍后提醒（10分钟）']);

    // Nothing in the group but the confirmation, and one card only in the DM.
    const groupCards = (await t.sim.messages(GROUP)).filter((m) => m.card?.body === '测试');
    expect(groupCards).toHaveLength(0);
    const ack = await t.sim.click(card.card!.id, 'wangfang', 'reminder.ack');
    expect(ack.body.accepted).toBe(true);
    const updated = await t.sim.waitForCard('dm-wangfang', card.card!.id, (c) => c.state?.status === 'acknowledged');
    expect(updated.state?.label).toContain('王芳 已知晓');
    const cards = (await t.sim.messages('dm-wangfang', dmBefore)).filter(isReminderCard('测试'));
    expect(cards).toHaveLength(1);
  });

  it('refuses a second click on a handled card and changes nothing', async () => {
    const before = await lastId('dm-wangfang');
    await t.sim.ask(GROUP, 'wangfang', '提醒 1秒后 二次点击');
    const card = await t.sim.nextBotMessage('dm-wangfang', before, isReminderCard('二次点击'));
    expect((await t.sim.click(card.card!.id, 'wangfang', 'reminder.ack')).body.accepted).toBe(true);
    await t.sim.waitForCard('dm-wangfang', card.card!.id, (c) => c.state?.closed === true);
    const again = await t.sim.click(card.card!.id, 'wangfang', 'reminder.snooze');
    expect(again.body).toMatchObject({ accepted: false });
    expect(again.body.reason).toContain('已处理');
  });

  it('snoozes: the card shows until when and a delayed job exists', async () => {
    const before = await lastId('dm-wangfang');
    const reply = await t.sim.ask(GROUP, 'wangfang', '提醒 1秒后 稍后再说');
    const id = Number(/#(\d+)/.exec(reply.text ?? '')![1]);
    const card = await t.sim.nextBotMessage('dm-wangfang', before, isReminderCard('稍后再说'));
    const result = await t.sim.click(card.card!.id, 'wangfang', 'reminder.snooze');
    expect(result.body.accepted).toBe(true);
    const updated = await t.sim.waitForCard('dm-wangfang', card.card!.id, (c) => c.state?.status === 'snoozed');
    expect(updated.state?.label).toMatch(/已推迟到 \d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
    const delayed = await t.app.queues.schedule.getDelayed();
    const job = delayed.find((j) => 'reminderId' in j.data && j.data.reminderId === id);
    expect(job).toBeDefined();
    expect(job!.opts.delay).toBeGreaterThan(9 * 60_000);
  });

  it('reminds @someone in their DM; others cannot act on it', async () => {
    const before = await lastId('dm-zhaolei');
    const reply = await t.sim.ask(GROUP, 'wangfang', '提醒 @赵磊 1秒后 交会议材料');
    expect(reply.text).toContain('赵磊');
    const card = await t.sim.nextBotMessage('dm-zhaolei', before, isReminderCard('交会议材料'));
    const stranger = await t.sim.click(card.card!.id, 'zhouting', 'reminder.ack');
    expect(stranger.status).toBe(403);
    const own = await t.sim.click(card.card!.id, 'zhaolei', 'reminder.ack');
    expect(own.body.accepted).toBe(true);
  });

  it('reminds the whole group in the group; any member can acknowledge', async () => {
    const before = await lastId(GROUP);
    await t.sim.ask(GROUP, 'zhaolei', '@会务助手 提醒 本群 1秒后 全体开会');
    const card = await t.sim.nextBotMessage(GROUP, before, isReminderCard('全体开会'));
    const ack = await t.sim.click(card.card!.id, 'zhouting', 'reminder.ack');
    expect(ack.body.accepted).toBe(true);
    const updated = await t.sim.waitForCard(GROUP, card.card!.id, (c) => c.state?.status === 'acknowledged');
    expect(updated.state?.label).toContain('周婷');
  });

  it('refuses a past time and schedules nothing', async () => {
    const jobsBefore = await t.app.queues.schedule.getJobCountByTypes('delayed', 'wait');
    const remindersBefore = await t.app.services.db.reminder.count();
    const reply = await t.sim.ask(GROUP, 'wangfang', '提醒 2020-01-01 10:00 过去的事');
    expect(reply.text).toContain('❌');
    expect(reply.text).toContain('用法');
    expect(await t.app.services.db.reminder.count()).toBe(remindersBefore);
    expect(await t.app.queues.schedule.getJobCountByTypes('delayed', 'wait')).toBe(jobsBefore);
  });

  it('explains an unparseable time and a missing content', async () => {
    const bad = await t.sim.ask(GROUP, 'wangfang', '提醒 找个时间 喝茶');
    expect(bad.text).toContain('❌');
    expect(bad.text).toContain('例如');
    const empty = await t.sim.ask(GROUP, 'wangfang', '提醒 明天下午3点');
    expect(empty.text).toContain('缺少提醒内容');
  });

  it('lists for whom each reminder is: two identical texts to different people are told apart', async () => {
    await t.sim.ask(GROUP, 'wangfang', '提醒 @赵磊 明天上午10点 交预算');
    await t.sim.ask(GROUP, 'wangfang', '提醒 明天上午10点 交预算');
    const list = await t.sim.ask('dm-wangfang', 'wangfang', '提醒 列表');
    const lines = (list.text ?? '').split('\n').filter((l) => l.includes('交预算'));
    expect(lines).toHaveLength(2);
    expect(lines.some((l) => l.includes('→ 赵磊'))).toBe(true);
    expect(lines.some((l) => l.includes('→ 你'))).toBe(true);
  });

  it('lists and cancels, and only the setter may cancel', async () => {
    const created = await t.sim.ask('dm-sunli', 'sunli', '提醒 明天下午3点 审核预算');
    expect(created.text).toMatch(/#\d+/);
    const id = Number(/#(\d+)/.exec(created.text ?? '')![1]);
    const list = await t.sim.ask('dm-sunli', 'sunli', '提醒 列表');
    expect(list.text).toContain(`#${id}`);
    expect(list.text).toContain('审核预算');

    const other = await t.sim.ask('dm-wujun', 'wujun', `提醒 取消 ${id}`);
    expect(other.text).toContain('只有设置人');

    const cancel = await t.sim.ask('dm-sunli', 'sunli', `提醒 取消 #${id}`);
    expect(cancel.text).toContain(`已取消提醒 #${id}`);
    expect(await t.app.queues.schedule.getJob(`reminder-${id}-once`)).toBeUndefined();
    const after = await t.sim.ask('dm-sunli', 'sunli', 'remind list');
    expect(after.text).not.toContain(`#${id} `);
  });

  it('sets a recurring reminder as a job scheduler in the configured zone', async () => {
    const reply = await t.sim.ask(GROUP, 'wangfang', '提醒 工作日 18:00 写日报');
    expect(reply.text).toContain('工作日 18:00');
    expect(reply.text).toMatch(/下次 \d{4}-\d{2}-\d{2} 18:00/);
    const id = Number(/#(\d+)/.exec(reply.text ?? '')![1]);
    const scheduler = await t.app.queues.schedule.getJobScheduler(`reminder-${id}`);
    expect(scheduler?.pattern).toBe('0 18 * * 1-5');
    expect(scheduler?.tz).toBe('Asia/Shanghai');
    await t.sim.ask(GROUP, 'wangfang', `提醒 取消 ${id}`);
    expect(await t.app.queues.schedule.getJobScheduler(`reminder-${id}`)).toBeUndefined();
  });

  it('repeats an important reminder until acknowledged, up to the cap', async () => {
    const before = await lastId('dm-huangmin');
    const reply = await t.sim.ask('dm-huangmin', 'huangmin', '提醒 重要 1秒后 带工牌');
    expect(reply.text).toContain('重要提醒');
    const first = await t.sim.nextBotMessage('dm-huangmin', before, isReminderCard('带工牌'));
    const second = await t.sim.nextBotMessage('dm-huangmin', first.id, isReminderCard('带工牌'));
    const third = await t.sim.nextBotMessage('dm-huangmin', second.id, isReminderCard('带工牌'));
    expect(third.card?.fields?.find((f) => f.label === '重复')?.value).toContain('第 2 次');
    // The cap (2 repeats) is reached: no further repeat job is waiting.
    const id = Number(/#(\d+)/.exec(reply.text ?? '')![1]);
    const pending = (await t.app.queues.schedule.getDelayed()).filter((j) => 'reminderId' in j.data && j.data.reminderId === id);
    expect(pending).toHaveLength(0);
  });

  it('stops repeating once someone presses 知道了', async () => {
    const before = await lastId('dm-wujun');
    const reply = await t.sim.ask('dm-wujun', 'wujun', '提醒 重要 1秒后 交发票');
    const id = Number(/#(\d+)/.exec(reply.text ?? '')![1]);
    const first = await t.sim.nextBotMessage('dm-wujun', before, isReminderCard('交发票'));
    expect((await t.sim.click(first.card!.id, 'wujun', 'reminder.ack')).body.accepted).toBe(true);
    // The repeat job still fires on time, and must find the acknowledgement and send nothing.
    const repeat = await t.app.queues.schedule.getJob(`reminder-${id}-repeat-reminder-${id}-once-1`);
    expect(repeat).toBeDefined();
    expect(await repeat!.waitUntilFinished(scheduleEvents, 10_000)).toBe('skipped');
    const cards = (await t.sim.messages('dm-wujun', before)).filter(isReminderCard('交发票'));
    expect(cards).toHaveLength(1);
  });

  it('asks which time when it has two readings, and creates the reminder at the chosen one', async () => {
    const zone = t.app.services.config.HUIWU_TIMEZONE;
    const before = await lastId(GROUP);
    const remindersBefore = await t.app.services.db.reminder.count();
    await t.sim.say(GROUP, 'wangfang', '@会务助手 提醒 明天3点 交材料');
    const offer = await t.sim.nextBotMessage(GROUP, before, (m) => m.card?.title === '🕒 请确认提醒时间');
    const card = offer.card!;
    expect(card.actions?.map((a) => a.label)).toEqual(['明天 03:00', '明天 15:00']);
    expect(card.body).toContain('交材料');
    expect(card.fallback).toContain('「明天 15:00」');
    // Asking created nothing yet.
    expect(await t.app.services.db.reminder.count()).toBe(remindersBefore);

    // Only the person who asked may choose.
    const stranger = await t.sim.click(card.id, 'zhaolei', 'reminder.time.second');
    expect(stranger.body).toMatchObject({ accepted: false });
    expect(stranger.body.reason).toContain('王芳');
    const chosen = await t.sim.click(card.id, 'wangfang', 'reminder.time.second');
    expect(chosen.body.accepted).toBe(true);
    expect(chosen.body.message).toContain('已设置提醒');
    const tomorrow = formatDateTime(new Date(Date.now() + 86_400_000), zone).slice(0, 10);
    expect(chosen.body.message).toContain(`时间：${tomorrow} 15:00`);
    const id = Number(/#(\d+)/.exec(chosen.body.message ?? '')![1]);
    const row = await t.app.services.db.reminder.findUnique({ where: { id } });
    expect(row?.text).toBe('交材料');
    expect(formatDateTime(row!.fireAt!, zone)).toBe(`${tomorrow} 15:00`);
    expect(await t.app.queues.schedule.getJob(`reminder-${id}-once`)).toBeDefined();

    const updated = await t.sim.waitForCard(GROUP, card.id, (c) => c.state?.status === 'chosen');
    expect(updated.state?.label).toBe(`✅ 已设置提醒 #${id}：${tomorrow} 15:00`);
    const again = await t.sim.click(card.id, 'wangfang', 'reminder.time.first');
    expect(again.body.accepted).toBe(false);
    expect(await t.app.services.db.reminder.count()).toBe(remindersBefore + 1);
    await t.sim.ask(GROUP, 'wangfang', `提醒 取消 ${id}`);
  });

  it('refuses a time with a word it cannot read, and one too far ahead, creating nothing', async () => {
    const remindersBefore = await t.app.services.db.reminder.count();
    const unread = await t.sim.ask(GROUP, 'wangfang', '提醒 下下下下周一 开会');
    expect(unread.text).toContain('时间"下下下下周一"里的"下下"看不懂');
    const far = await t.sim.ask(GROUP, 'wangfang', '提醒 100000000天后 喝水');
    expect(far.text).toContain('超出范围');
    const year = await t.sim.ask(GROUP, 'wangfang', '提醒 0099年1月1日 10点 喝水');
    expect(year.text).toContain('年份应在 1970');
    expect(await t.app.services.db.reminder.count()).toBe(remindersBefore);
  });

  it('says "by" for a deadline and still shows the absolute time', async () => {
    const reply = await t.sim.ask('dm-sunli', 'sunli', '提醒 两小时内 交预算');
    expect(reply.text).toMatch(/时间：截止 \d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
    const english = await t.sim.ask('dm-sunli', 'sunli', 'remind me within 2 hours send the budget');
    expect(english.text).toMatch(/Time: by \d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
    for (const text of [reply.text, english.text]) await t.sim.ask('dm-sunli', 'sunli', `提醒 取消 ${/#(\d+)/.exec(text ?? '')![1]}`);
  });

  it('asks an English reader which day 05/06 is; a Chinese reader gets 6 May (month-first)', async () => {
    const remindersBefore = await t.app.services.db.reminder.count();
    expect((await t.sim.ask('dm-liuyang', 'liuyang', 'language English')).text).toContain('English');
    const before = await lastId('dm-liuyang');
    await t.sim.say('dm-liuyang', 'liuyang', 'remind 05/06 renew the badge');
    const offer = await t.sim.nextBotMessage('dm-liuyang', before, (m) => m.card?.title === '🕒 Which time?');
    expect(offer.card!.actions?.map((a) => a.label)).toEqual([expect.stringMatching(/^\d{4}-05-06 09:00$/), expect.stringMatching(/^\d{4}-06-05 09:00$/)]);
    expect(await t.app.services.db.reminder.count()).toBe(remindersBefore);
    // A task's due date is asked the same way (replied as a question, nothing created).
    const task = await t.sim.ask('dm-liuyang', 'liuyang', 'task @huangmin order badges due 05/06');
    expect(task.text).toMatch(/could be \d{4}-05-06 09:00 or \d{4}-06-05 09:00/);
    await t.sim.ask('dm-liuyang', 'liuyang', 'language default');

    const zh = await t.sim.ask('dm-zhangwei', 'zhangwei', '提醒 05/06 续办工牌');
    expect(zh.text).toMatch(/时间：\d{4}-05-06 09:00/);
    await t.sim.ask('dm-zhangwei', 'zhangwei', `提醒 取消 ${/#(\d+)/.exec(zh.text ?? '')![1]}`);
  });

  it('words a repeat in the reader\'s language: reply and list', async () => {
    expect((await t.sim.ask('dm-sunli', 'sunli', 'language English')).text).toContain('English');
    const reply = await t.sim.ask('dm-sunli', 'sunli', 'remind every monday 9:00 weekly report');
    expect(reply.text).toMatch(/Time: every Monday 09:00 \(next \d{4}-\d{2}-\d{2} 09:00\)/);
    const daily = await t.sim.ask('dm-sunli', 'sunli', '提醒 工作日 18:00 写日报');
    expect(daily.text).toContain('weekdays 18:00');
    const list = await t.sim.ask('dm-sunli', 'sunli', 'remind list');
    expect(list.text).toContain('every Monday 09:00');
    expect(list.text).not.toMatch(/每|工作日/);
    await t.sim.ask('dm-sunli', 'sunli', 'language default');
    // The same reminders read in Chinese once the reader is Chinese again.
    const zhList = await t.sim.ask('dm-sunli', 'sunli', '提醒 列表');
    expect(zhList.text).toContain('每周一 09:00');
    expect(zhList.text).toContain('工作日 18:00');
    for (const text of [reply.text, daily.text]) await t.sim.ask('dm-sunli', 'sunli', `提醒 取消 ${/#(\d+)/.exec(text ?? '')![1]}`);
  });

  it('retries a failed send with backoff and delivers once', async () => {
    const before = await lastId('dm-zhouting');
    await t.sim.request('POST', '/sim/api/faults', { sendFailures: 2 });
    const reply = await t.sim.ask('dm-zhouting', 'zhouting', '提醒 1秒后 重试测试');
    expect(reply.text).toContain('已设置提醒');
    const card = await t.sim.nextBotMessage('dm-zhouting', before, isReminderCard('重试测试'));
    // The row is marked `sent` just after the platform call that showed the card (one more round
    // trip on PostgreSQL), so the bookkeeping is awaited briefly, as in the fan-out test.
    const status = async () => (await t.app.services.db.outboundMessage.findUnique({ where: { id: `card-${card.card!.id}` } }))?.status;
    await expect.poll(status, { timeout: 5000, interval: 50 }).toBe('sent');
    const retried = await t.app.services.db.outboundMessage.findMany({ where: { attempts: { gt: 1 } } });
    expect(retried.length).toBeGreaterThan(0);
  });

  it('fires a burst of due reminders in batches: one job delivers them all, each exactly once', async () => {
    const people = ['zhaolei', 'zhouting', 'wujun', 'huangmin', 'wangfang'];
    const before = new Map(await Promise.all(people.map(async (p) => [p, await lastId(`dm-${p}`)] as const)));
    const ids: number[] = [];
    for (const person of people) {
      for (let i = 0; i < 4; i++) {
        const reply = await t.sim.ask(`dm-${person}`, person, `提醒 10分钟后 批次${person}${i}`);
        ids.push(Number(/#(\d+)/.exec(reply.text ?? '')![1]));
      }
    }
    // All due now; only the first one's job is brought forward: it takes the others with it.
    await t.app.services.db.reminder.updateMany({ where: { id: { in: ids } }, data: { fireAt: new Date() } });
    const job = (id: number) => t.app.queues.schedule.getJob(`reminder-${id}-once`);
    await (await job(ids[0]!))!.changeDelay(0);

    const burst = (m: SimMessage) => m.card?.body?.startsWith('批次') ?? false;
    const delivered = async () => (await Promise.all(people.map(async (p) => (await t.sim.messages(`dm-${p}`, before.get(p))).filter(burst)))).flat();
    await expect.poll(async () => (await delivered()).length, { timeout: 20_000, interval: 200 }).toBe(ids.length);
    expect(await (await job(ids[0]!))!.getState()).toBe('completed');
    const rows = await t.app.services.db.reminder.findMany({ where: { id: { in: ids } } });
    expect(rows.every((r) => r.status === 'fired' && r.occurrence === 1)).toBe(true);

    // The others' own jobs, run now, find their card queued: nothing more is sent.
    for (const id of ids.slice(1)) await (await job(id))!.promote();
    await expect.poll(async () => Promise.all(ids.slice(1).map(async (id) => (await job(id))?.returnvalue as string | undefined)), { timeout: 20_000, interval: 200 }).toEqual(ids.slice(1).map(() => 'skipped'));
    const cards = await delivered();
    expect(new Set(cards.map((c) => c.card!.id)).size).toBe(ids.length);
    for (const id of ids) expect(cards.filter((c) => new RegExp(`#${id}(?!\\d)`).test(c.card!.title))).toHaveLength(1);
  });
});
