/**
 * Executive schedule conflicts end to end through the simulator: a clash found on create, on
 * move and on invitation; none back-to-back in one venue, one when the travel buffer is too
 * short; a platform calendar slot; the recorded choice with the dropped meeting's organizers
 * told; delegation to the assistant; no repeated alert; the morning digest.
 * 李总 (lizong) is the seeded executive and 陈静 (chenjing) his assistant. Each case uses its own day.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Card } from '../../cards/model.js';
import { parseTimeRange } from '../../src/time/parse-time.js';
import { startTestApp, type TestApp } from '../support/harness.js';
import type { SimMessage } from '../support/sim-client.js';

const GROUP = 'prep-group';
const LIZONG = 'simulator:lizong';
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ HUIWU_TRAVEL_BUFFER: '30m', HUIWU_STATUS_REFRESH_MS: '200' });
});
afterAll(async () => {
  await t?.close();
});

const idOf = (m: SimMessage) => Number(/#(\d+)/.exec(m.text ?? '')![1]);
const field = (card: Card, label: string) => card.fields?.find((f) => f.label === label)?.value ?? '';
const cursor = async (conversation: string) => (await t.sim.messages(conversation)).at(-1)?.id ?? 0;
const isConflict = (pred: (c: Card) => boolean) => (m: SimMessage) => (m.card?.title.startsWith('⚠️ 日程冲突') ?? false) && pred(m.card!);
const mentions = (card: Card, a: string, b: string) => field(card, '前者').includes(a) && field(card, '后者').includes(b);

async function createMeeting(from: string, text: string): Promise<number> {
  const reply = await t.sim.ask(GROUP, from, text);
  expect(reply.text).toContain('已新建会议');
  return idOf(reply);
}

/** ISO times of a natural range, as the app reads it (same zone, same parser). */
function range(text: string): { start: string; end: string } {
  const r = parseTimeRange(text, { now: new Date(), timeZone: t.app.services.config.HUIWU_TIMEZONE });
  if (!r.ok || !r.end) throw new Error(`bad range ${text}`);
  return { start: r.start.toISOString(), end: r.end.toISOString() };
}

const conflictRows = () => t.app.services.db.scheduleConflict.findMany({ where: { executiveId: LIZONG } });

describe('executive schedule conflicts', () => {
  it('finds a clash when the executive creates a meeting over an entry, and DMs him and his assistant within seconds', async () => {
    const entry = await t.sim.ask('dm-chenjing', 'chenjing', '日程 添加 客户拜访 2天后 15:00~16:00 地点 国贸 重要性 高');
    expect(entry.text).toMatch(/已为李总添加日程 #\d+「客户拜访」/);
    expect(entry.text).toContain('重要性：高');
    expect(entry.text).not.toContain('冲突');
    const dms = { lizong: await cursor('dm-lizong'), chenjing: await cursor('dm-chenjing') };

    const started = Date.now();
    await createMeeting('lizong', '会议 新建 战略会 2天后 15:30~16:30 地点 主会场');
    const card = (await t.sim.nextBotMessage('dm-lizong', dms.lizong, isConflict((c) => mentions(c, '客户拜访', '战略会')), 5000)).card!;
    expect(Date.now() - started).toBeLessThan(5000);
    expect(field(card, '前者')).toContain('国贸');
    expect(field(card, '前者')).toContain('重要性 高');
    expect(field(card, '后者')).toContain('主会场');
    expect(field(card, '后者')).toContain('主持');
    // The executive hosts the meeting: the bigger role wins over an own entry, and the card says why.
    expect(field(card, '建议')).toContain('建议保留后者「战略会」');
    expect(field(card, '建议')).toContain('主持');
    expect(card.body).toContain('时间重叠');
    expect(card.actions?.map((a) => a.label)).toEqual(['保留前者', '保留后者', '请助理协调']);
    const assistantCard = (await t.sim.nextBotMessage('dm-chenjing', dms.chenjing, isConflict((c) => mentions(c, '客户拜访', '战略会')), 5000)).card!;
    expect(assistantCard.actions?.map((a) => a.label)).toEqual(['保留前者', '保留后者']);
    // The assistant's copy is about the executive, not about "您".
    expect(field(assistantCard, '建议')).toContain('建议保留后者「战略会」：李总在其中担任主持');
    expect(field(assistantCard, '建议')).not.toContain('您');
  });

  it('finds a clash on invitation, records the choice, and tells the dropped meeting’s organizers', async () => {
    const id = await createMeeting('wangfang', '会议 新建 预算会 3天后 10:00~11:00 地点 三楼会议室');
    expect((await t.sim.ask(GROUP, 'wangfang', `会议 重要性 #${id} 低`)).text).toContain('重要性：低');
    const entry = await t.sim.ask(GROUP, 'wangfang', '日程 添加 @李总 供应商洽谈 3天后 10:30~11:30 地点 三楼会议室');
    expect(entry.text).not.toContain('冲突');
    const dms = { lizong: await cursor('dm-lizong'), wangfang: await cursor('dm-wangfang') };

    expect((await t.sim.ask(GROUP, 'wangfang', `会议 邀请 #${id} @李总 @周婷`)).text).toContain('已邀请 2 人');
    const card = (await t.sim.nextBotMessage('dm-lizong', dms.lizong, isConflict((c) => mentions(c, '预算会', '供应商洽谈')), 5000)).card!;
    expect(field(card, '前者')).toContain('参会 · 重要性 低');
    expect(field(card, '建议')).toContain('建议保留后者「供应商洽谈」');

    const clicked = await t.sim.click(card.id, 'lizong', 'schedule.keep-second');
    expect(clicked.body.accepted).toBe(true);
    expect(clicked.body.message).toContain('不参加会议');

    const row = (await conflictRows()).find((c) => c.itemA === `m${id}`)!;
    expect(row).toMatchObject({ status: 'resolved', choice: 'keep-second', chosenBy: LIZONG, droppedItem: `m${id}` });
    expect(row.chosenAt).toBeInstanceOf(Date);
    expect((await t.app.services.rsvp.attendeeFor(id, LIZONG))?.response).toBe('no');
    const told = await t.sim.nextBotMessage('dm-wangfang', dms.wangfang, (m) => m.text?.includes('不参加会议') ?? false, 5000);
    expect(told.text).toContain(`#${id}「预算会」`);
    expect(told.text).toContain('供应商洽谈');
    expect(told.text).toContain('李总');
    // Every copy of the alert shows the choice and takes no more clicks; the live counts follow.
    await t.sim.waitForCard('dm-lizong', card.id, (c) => c.state?.status === 'keep-second' && c.state.closed === true);
    const assistantCopy = card.id.replace(/simulator_lizong$/, 'simulator_chenjing');
    await t.sim.waitForCard('dm-chenjing', assistantCopy, (c) => (c.state?.label ?? '').includes('已选择保留后者'));
    expect((await t.sim.click(card.id, 'lizong', 'schedule.keep-first')).body.accepted).toBe(false);
    await t.sim.waitForCard(GROUP, `mstat-${id}`, (c) => field(c, '回复').includes('不参加 1'));
  });

  it('finds a clash on move, alerts once however often it is re-checked, and closes it when the meeting moves away', async () => {
    const id = await createMeeting('wangfang', '会议 新建 复盘会 4天后 09:00~10:00 地点 主会场');
    await t.sim.ask(GROUP, 'wangfang', `会议 邀请 #${id} @李总`);
    expect((await t.sim.ask('dm-lizong', 'lizong', '日程 添加 媒体采访 4天后 14:00~15:00 地点 主会场')).text).not.toContain('冲突');
    const before = await cursor('dm-lizong');

    await t.sim.ask(GROUP, 'wangfang', `会议 改时间 #${id} 4天后 14:30~15:30`);
    const card = (await t.sim.nextBotMessage('dm-lizong', before, isConflict((c) => mentions(c, '媒体采访', '复盘会')), 5000)).card!;

    // Re-checks of the same pair (directly, and through another change) send nothing new.
    expect(await t.app.services.conflicts.check(LIZONG, `m${id}`)).toBe(1);
    await t.sim.ask(GROUP, 'wangfang', `会议 改地点 #${id} 主会场`);
    expect(await t.app.services.conflicts.check(LIZONG, `m${id}`)).toBe(1);

    await t.sim.ask(GROUP, 'wangfang', `会议 改时间 #${id} 4天后 17:00~18:00`);
    const gone = await t.sim.waitForCard('dm-lizong', card.id, (c) => c.state?.status === 'gone');
    expect(gone.state?.label).toContain('冲突已消除');
    const cards = (await t.sim.messages('dm-lizong', before)).filter(isConflict((c) => mentions(c, '媒体采访', '复盘会')));
    expect(cards).toHaveLength(1);
    expect((await conflictRows()).filter((c) => c.itemB === `m${id}` || c.itemA === `m${id}`).map((c) => c.status)).toEqual(['gone']);
  });

  it('accepts back-to-back in the same venue and flags a travel-buffer violation once', async () => {
    await t.sim.ask('dm-lizong', 'lizong', '日程 添加 午餐会 5天后 12:00~13:00 地点 主会场');
    const next = await t.sim.ask('dm-lizong', 'lizong', '日程 添加 接待 5天后 13:00~14:00 地点 主会场');
    expect(next.text).not.toContain('冲突');
    expect(await t.app.services.conflicts.check(LIZONG, `e${idOf(next)}`)).toBe(0);
    const before = await cursor('dm-lizong');

    const far = await t.sim.ask('dm-lizong', 'lizong', '日程 添加 签约仪式 5天后 14:10~15:00 地点 国贸');
    expect(far.text).toContain('与 1 项日程冲突');
    const card = (await t.sim.nextBotMessage('dm-lizong', before, isConflict((c) => mentions(c, '接待', '签约仪式')), 5000)).card!;
    expect(card.body).toContain('间隔仅 10 分钟');
    expect(card.body).toContain('转场时间 30 分钟');
    const day5 = (await conflictRows()).filter((c) => [`e${idOf(far)}`, `e${idOf(next)}`].includes(c.itemA) || [`e${idOf(far)}`, `e${idOf(next)}`].includes(c.itemB));
    expect(day5).toHaveLength(1);
  });

  it('finds a clash with a platform calendar busy slot; the executive delegates and the assistant chooses', async () => {
    const busy = range('6天后 10:00~12:00');
    const added = await t.sim.request<{ id: number }>('POST', '/sim/api/calendar/busy', { user: 'lizong', ...busy, title: '董事会' });
    expect(added.status).toBe(201);
    const id = await createMeeting('wangfang', '会议 新建 产品评审 6天后 11:00~12:00 地点 二号会议室');
    const dms = { lizong: await cursor('dm-lizong'), chenjing: await cursor('dm-chenjing'), wangfang: await cursor('dm-wangfang') };
    await t.sim.ask(GROUP, 'wangfang', `会议 邀请 #${id} @李总`);
    const card = (await t.sim.nextBotMessage('dm-lizong', dms.lizong, isConflict((c) => mentions(c, '董事会', '产品评审')), 5000)).card!;
    expect(field(card, '前者')).toContain('日历「董事会」');
    expect(field(card, '建议')).toContain('建议请助理协调');
    const assistantCopy = await t.sim.waitForCard('dm-chenjing', card.id.replace(/simulator_lizong$/, 'simulator_chenjing'), () => true);
    expect(field(assistantCopy, '建议')).toContain('两项中李总的角色（日历忙碌）和重要性（未知（按中））相同');

    expect((await t.sim.click(card.id, 'lizong', 'schedule.delegate')).body.accepted).toBe(true);
    await t.sim.waitForCard('dm-lizong', card.id, (c) => c.state?.status === 'delegated' && c.state.closed === true);
    // The assistant is asked to act in a message of its own, naming both items and how to answer.
    const conflictId = Number(/#(\d+)/.exec(card.title)![1]);
    const asked = await t.sim.nextBotMessage('dm-chenjing', dms.chenjing, (m) => m.text?.includes(`日程冲突 #${conflictId}`) ?? false, 5000);
    expect(asked.text).toContain('李总请您协调');
    expect(asked.text).toContain(`前者：日历「董事会」 · ${t.app.services.conflicts.timeText({ start: new Date(busy.start), end: new Date(busy.end) })}`);
    expect(asked.text).toMatch(new RegExp(`后者：会议 #${id}「产品评审」 · .+ · 二号会议室 · 参会`));
    expect(asked.text).toContain(`日程 冲突 #${conflictId} 前者|后者`);
    const assistantId = card.id.replace(/simulator_lizong$/, 'simulator_chenjing');
    await t.sim.waitForCard('dm-chenjing', assistantId, (c) => (c.state?.label ?? '').includes('李总请您协调'));
    // The assistant's copy has no 请助理协调 button.
    expect((await t.sim.click(assistantId, 'chenjing', 'schedule.delegate')).body.accepted).toBe(false);
    const chosen = await t.sim.click(assistantId, 'chenjing', 'schedule.keep-first');
    expect(chosen.body.accepted).toBe(true);
    const row = (await conflictRows()).find((c) => c.itemB === `m${id}`)!;
    expect(row).toMatchObject({ status: 'resolved', choice: 'keep-first', chosenBy: 'simulator:chenjing' });
    const told = await t.sim.nextBotMessage('dm-wangfang', dms.wangfang, (m) => m.text?.includes(`#${id}「产品评审」`) ?? false, 5000);
    expect(told.text).toContain('陈静');
  });

  it('sends the morning digest with conflicts first to the executive and the assistant', async () => {
    const day = new Date(range('5天后 10:00~11:00').start);
    const before = { lizong: await cursor('dm-lizong'), chenjing: await cursor('dm-chenjing') };
    expect(await t.app.services.conflicts.digest(day)).toBeGreaterThanOrEqual(1);
    for (const u of ['lizong', 'chenjing'] as const) {
      const digest = await t.sim.nextBotMessage(`dm-${u}`, before[u], (m) => m.text?.startsWith('☀️ 李总 今日日程') ?? false, 5000);
      const text = digest.text!;
      expect(text).toContain('⚠️ 冲突 1 处');
      expect(text.indexOf('冲突 1 处')).toBeLessThan(text.indexOf('日程 3 项'));
      expect(text).toContain('签约仪式');
      expect(text).toContain('午餐会');
    }
  });

  it('sees a meeting the executive was made organizer of: the MeetingOrganizer rows follow the organizer list', async () => {
    const id = await createMeeting('wangfang', '会议 新建 预算评审 10天后 10:00~11:00 地点 主会场');
    const entry = idOf(await t.sim.ask('dm-lizong', 'lizong', '日程 添加 会见 10天后 10:30~11:30 地点 主会场'));
    const { db, conflicts, console: consoleService, directory } = t.app.services;
    const linkRows = async () => (await db.meetingOrganizer.findMany({ where: { meetingId: id }, orderBy: { userId: 'asc' } })).map((r) => r.userId);
    expect(await linkRows()).toEqual(['simulator:wangfang']);
    // Not invited, not an organizer: the meeting is not on his schedule.
    expect(await conflicts.check(LIZONG, `e${entry}`)).toBe(0);

    expect((await t.sim.ask(GROUP, 'wangfang', `会议 组织者 #${id} @李总`)).text).toContain(`会议 #${id} 组织者`);
    const meeting = await db.meeting.findUniqueOrThrow({ where: { id } });
    expect(await linkRows()).toEqual([...(JSON.parse(meeting.organizerIds) as string[])].sort());
    expect(await linkRows()).toContain(LIZONG);
    // Now he hosts it: the check from his entry sees the meeting, and his console lists it.
    expect(await conflicts.check(LIZONG, `e${entry}`)).toBe(1);
    const row = (await conflictRows()).find((c) => c.itemA === `m${id}` && c.itemB === `e${entry}`);
    expect(row?.status).toBe('open');
    const lizong = (await directory.user(LIZONG))!;
    expect((await consoleService.meetingsOf(lizong)).map((m) => m.id)).toContain(id);
  });

  it('lists the schedule, manages assistants and refuses strangers', async () => {
    const list = await t.sim.ask('dm-chenjing', 'chenjing', '日程 列表');
    expect(list.text).toContain('李总 未来 7 天日程');
    expect(list.text).toContain('待处理冲突');
    expect((await t.sim.ask(GROUP, 'zhouting', '日程 列表 @李总')).text).toContain('只有李总本人、其助理或管理员');
    expect((await t.sim.ask(GROUP, 'zhouting', '日程 助理 @李总 @周婷')).text).toContain('只有组织者或管理员');
    const added = await t.sim.ask(GROUP, 'wangfang', '日程 助理 @李总 @赵磊');
    expect(added.text).toContain('现在的助理：陈静、赵磊');
    expect((await t.sim.ask(GROUP, 'wangfang', '日程 助理 移除 @李总 @赵磊')).text).toContain('现在的助理：陈静');
    const entry = await t.sim.ask('dm-lizong', 'lizong', '日程 添加 体检 8天后 8:00~9:00');
    expect((await t.sim.ask('dm-zhouting', 'zhouting', `日程 删除 #${idOf(entry)}`)).text).toContain('只有本人');
    expect((await t.sim.ask('dm-lizong', 'lizong', `日程 删除 #${idOf(entry)}`)).text).toContain('已删除日程');
  });

  it('speaks English to whoever chose it: English words, replies and conflict cards, Chinese for the others', async () => {
    for (const u of ['lizong', 'chenjing']) expect((await t.sim.ask(`dm-${u}`, u, 'language English')).text).toContain('English');
    try {
      const entry = await t.sim.ask('dm-chenjing', 'chenjing', 'schedule add Client visit in 9 days 15:00~16:00 venue CBD priority high');
      expect(entry.text).toMatch(/^✅ Added schedule item #\d+ “Client visit” for 李总\nTime: .+\nVenue: CBD · Priority: high$/);
      const dms = { lizong: await cursor('dm-lizong'), chenjing: await cursor('dm-chenjing'), wangfang: await cursor('dm-wangfang') };
      const id = await createMeeting('wangfang', '会议 新建 Board review 9天后 15:30~16:30 地点 主会场');
      await t.sim.ask(GROUP, 'wangfang', `会议 邀请 #${id} @李总`);

      const isEnglishConflict = (m: SimMessage) => (m.card?.title.startsWith('⚠️ Schedule conflict') ?? false) && (m.card?.fields?.[1]?.value.includes('Board review') ?? false);
      const card = (await t.sim.nextBotMessage('dm-lizong', dms.lizong, isEnglishConflict, 5000)).card!;
      expect(card.body).toBe('In 李总\'s schedule, the two items overlap:');
      expect(card.fields?.map((f) => f.label)).toEqual(['First', 'Second', 'Suggestion']);
      expect(field(card, 'First')).toMatch(/^schedule item #\d+ “Client visit” · .+ · CBD · own appointment · priority high$/);
      expect(field(card, 'Second')).toContain(`meeting #${id} “Board review”`);
      expect(field(card, 'Suggestion')).toContain('Suggest keeping the first one, “Client visit”');
      expect(card.actions?.map((a) => a.label)).toEqual(['Keep the first', 'Keep the second', 'Ask the assistant']);
      expect(card.fallback).toBe(`Or reply: schedule conflict #${Number(/#(\d+)/.exec(card.title)![1])} first|second|assistant`);
      const assistantCard = (await t.sim.nextBotMessage('dm-chenjing', dms.chenjing, isEnglishConflict, 5000)).card!;
      expect(assistantCard.actions?.map((a) => a.label)).toEqual(['Keep the first', 'Keep the second']);

      const conflictId = Number(/#(\d+)/.exec(card.title)![1]);
      const chosen = await t.sim.ask('dm-chenjing', 'chenjing', `schedule conflict #${conflictId} first`);
      expect(chosen.text).toContain('✅ Recorded: keeping “Client visit”, dropping “Board review”.');
      expect(chosen.text).toContain(`not attending meeting #${id}`);
      await t.sim.waitForCard('dm-lizong', card.id, (c) => c.state?.label.startsWith('✅ Kept the first one, “Client visit”') ?? false);
      // The organizer kept Chinese: her notice is in Chinese.
      const told = await t.sim.nextBotMessage('dm-wangfang', dms.wangfang, (m) => m.text?.includes(`#${id}「Board review」`) ?? false, 5000);
      expect(told.text).toContain('因日程冲突将不参加会议');

      const list = await t.sim.ask('dm-lizong', 'lizong', 'schedule list');
      expect(list.text).toMatch(/^李总's schedule for the next 7 days \(\d+\):/);
      const before = await cursor('dm-lizong');
      await t.app.services.conflicts.digest(new Date(range('9天后 10:00~11:00').start));
      const digest = await t.sim.nextBotMessage('dm-lizong', before, (m) => m.text?.startsWith('☀️ 李总\'s schedule today') ?? false, 5000);
      expect(digest.text).toContain('✅ No conflicts today');
      expect(digest.text).toMatch(/Items \(1\):\n  · schedule item #\d+ “Client visit”/);
      expect((await t.sim.ask('dm-lizong', 'lizong', 'schedule conflict #99999 second')).text).toContain('Schedule conflict #99999 does not exist');
      expect((await t.sim.ask('dm-lizong', 'lizong', 'schedule frobnicate')).text).toContain('Unknown sub-command “frobnicate”');
    } finally {
      for (const u of ['lizong', 'chenjing']) await t.sim.ask(`dm-${u}`, u, 'language default');
    }
  });
});
