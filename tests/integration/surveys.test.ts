/**
 * Surveys through the simulator: sent to checked-in attendees when the meeting ends, anonymous in
 * the database, one submission each, reminders to non-respondents only, results with a chart, and
 * the low-score alert.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { QueueEvents } from 'bullmq';
import type { Card } from '../../cards/model.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_NAMES } from '../../src/queue/queues.js';
import { connectRedis } from '../../src/redis/connection.js';
import { onPostgres, startTestApp, type TestApp } from '../support/harness.js';
import type { SimMessage } from '../support/sim-client.js';

const GROUP = 'prep-group';
const TOKEN = 'survey-test-admin-token';
let t: TestApp;
let scheduleEvents: QueueEvents;

beforeAll(async () => {
  t = await startTestApp({ HUIWU_SURVEY_REMINDERS: '3s', HUIWU_SURVEY_DURATION: '1h', HUIWU_STATUS_REFRESH_MS: '300', HUIWU_ADMIN_TOKEN: TOKEN });
  scheduleEvents = new QueueEvents(QUEUE_NAMES.schedule, { connection: connectRedis(t.env.REDIS_URL!), prefix: t.env.HUIWU_QUEUE_PREFIX });
  await scheduleEvents.waitUntilReady();
});
afterAll(async () => {
  await scheduleEvents?.close();
  await t?.close();
});

/**
 * The append-only file of the test Redis up to a marker written now (so everything before it has
 * reached the file), or null when Redis keeps none or does not say where it is.
 */
async function appendOnlyText(redis: ReturnType<typeof connectRedis>, marker: string): Promise<string | null> {
  try {
    const [, enabled] = (await redis.config('GET', 'appendonly')) as string[];
    if (enabled !== 'yes') return null;
    const [, dir] = (await redis.config('GET', 'dir')) as string[];
    const [, sub] = (await redis.config('GET', 'appenddirname')) as string[];
    await redis.set(marker, marker);
    await redis.del(marker);
    const folder = join(dir!, sub ?? '');
    for (let waited = 0; waited < 5000; waited += 50) {
      const text = readdirSync(folder)
        .filter((f) => f.endsWith('.aof'))
        .map((f) => readFileSync(join(folder, f), 'latin1'))
        .join('\n');
      if (text.includes(marker)) return Buffer.from(text, 'latin1').toString('utf8');
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`marker ${marker} never reached the append-only file in ${folder}`);
  } catch (error) {
    if (/unknown|disabled|NOPERM/i.test(String(error))) return null;
    throw error;
  }
}

const cursor = async (c: string) => (await t.sim.messages(c)).at(-1)?.id ?? 0;
const surveyCard = (m: SimMessage) => m.card?.title.startsWith('⭐ 满意度问卷') ?? false;

/** A meeting `when` (a time range), with the given people invited, confirmed and checked in. */
async function meetingWith(when: string, people: Array<{ id: string; name: string; checkIn: boolean }>): Promise<number> {
  const created = await t.sim.ask(GROUP, 'wangfang', `会议 新建 总结会 ${when} 地点 大会议室`);
  const id = Number(/#(\d+)/.exec(created.text ?? '')![1]);
  await t.sim.ask(GROUP, 'wangfang', `会议 邀请 #${id} ${people.map((p) => `@${p.name}`).join(' ')}`);
  for (const p of people) {
    await t.sim.ask(`dm-${p.id}`, p.id, `会议 回复 #${id} 参加`);
    if (p.checkIn) expect((await t.sim.ask(`dm-${p.id}`, p.id, `签到 #${id}`)).text).toContain('已签到');
  }
  return id;
}

describe('surveys', () => {
  it('starts when the meeting ends, goes to checked-in attendees only, and stays anonymous', async () => {
    const people = [
      { id: 'zhaolei', name: '赵磊', checkIn: true },
      { id: 'zhouting', name: '周婷', checkIn: true },
      { id: 'wujun', name: '吴军', checkIn: false },
    ];
    const before = { zhaolei: await cursor('dm-zhaolei'), zhouting: await cursor('dm-zhouting'), wujun: await cursor('dm-wujun') };
    const meetingId = await meetingWith('10秒后~25秒后', people);
    // The automatic start is a delayed job at the meeting's end: wait for it to run.
    const job = await t.app.queues.schedule.getJob(`meeting-${meetingId}-survey`);
    expect(await job!.waitUntilFinished(scheduleEvents, 60_000)).toBe('survey sent to 2');

    const card1 = (await t.sim.nextBotMessage('dm-zhaolei', before.zhaolei, surveyCard)).card!;
    const card2 = (await t.sim.nextBotMessage('dm-zhouting', before.zhouting, surveyCard)).card!;
    expect(card1.body).toContain('匿名问卷');
    expect(card1.inputs?.map((i) => i.label)).toEqual(['议程安排', '会务服务', '场地设施', '餐饮', '总体满意度', '意见和建议（选填）']);
    expect((await t.sim.messages('dm-wujun', before.wujun)).some(surveyCard)).toBe(false);

    const scores = (s: number[]) => Object.fromEntries(s.map((v, i) => [`d${i}`, String(v)]));
    const ok = await t.sim.click(card1.id, 'zhaolei', 'survey.submit', { ...scores([5, 5, 4, 3, 4]), comment: '午餐排队太久' });
    expect(ok.body.accepted).toBe(true);
    await t.sim.waitForCard('dm-zhaolei', card1.id, (c) => c.state?.status === 'submitted');

    // Incomplete answers are refused with the reason; a second submission is refused.
    const partial = await t.sim.click(card2.id, 'zhouting', 'survey.submit', { d0: '5' });
    expect(partial.body.reason).toContain('请为「会务服务」打 1 到 5 分');
    const surveyId = Number(/#(\d+)/.exec(card1.title)![1]);
    const twice = await t.sim.ask('dm-zhaolei', 'zhaolei', `问卷 评分 #${surveyId} 1 1 1 1 1`);
    expect(twice.text).toContain('已经提交过');

    // Reminder (3 s after the start) to the non-respondent only.
    const reminder = await t.sim.nextBotMessage('dm-zhouting', before.zhouting, (m) => m.text?.includes('还差你的评分') ?? false, 15_000);
    expect(reminder.text).toContain(`#${surveyId}`);
    expect((await t.sim.messages('dm-zhaolei', before.zhaolei)).some((m) => m.text?.includes('还差你的评分'))).toBe(false);

    expect((await t.sim.ask('dm-zhouting', 'zhouting', `问卷 评分 #${surveyId} 4 5 4 4 4`)).text).toContain('已提交');

    // The database holds no respondent id for an anonymous survey, and nothing links answers to receipts.
    const rows = await t.app.services.db.surveyResponse.findMany({ where: { surveyId } });
    expect(rows).toHaveLength(2);
    for (const r of rows) expect(r.userId).toBeNull();
    const dump = JSON.stringify(rows);
    for (const who of ['zhaolei', 'zhouting', '赵磊', '周婷']) expect(dump).not.toContain(who);
    expect(await t.app.services.db.surveyReceipt.count({ where: { surveyId } })).toBe(2);

    // Results: averages, a chart image in the group, and the low-score alert to organizers.
    const groupBefore = await cursor(GROUP);
    const dmBefore = await cursor('dm-wangfang');
    await t.sim.say(GROUP, 'wangfang', `@会务助手 问卷 关闭 #${surveyId}`);
    const text = await t.sim.nextBotMessage(GROUP, groupBefore, (m) => m.text?.includes('回复率') ?? false);
    expect(text.text).toContain('回复率：2/2（100%）');
    expect(text.text).toContain('• 餐饮：3.5');
    expect(text.text).toContain('总体满意度：4（目标 ≥4.5）⚠️ 未达标');
    expect(text.text).toContain('「午餐排队太久」');
    const image = await t.sim.nextBotMessage(GROUP, groupBefore, (m) => m.image !== undefined);
    const png = await fetch(`${t.baseUrl}${image.image}`);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await png.arrayBuffer()).subarray(1, 4).toString()).toBe('PNG');
    const alert = await t.sim.nextBotMessage('dm-wangfang', dmBefore, (m) => m.text?.includes('低于目标') ?? false);
    expect(alert.text).toContain('得分最低：餐饮 3.5');

    const csv = await fetch(`${t.baseUrl}/api/surveys/${surveyId}/results.csv`, {
      headers: { authorization: `Bearer ${TOKEN}`, 'x-huiwu-user': 'simulator:wangfang' },
    });
    expect(csv.status).toBe(200);
    const body = await csv.text();
    expect(body).toContain('餐饮,3.5');
    expect(body).not.toContain('zhaolei');
  }, 120_000);

  it('sends a named survey to confirmed attendees on request; only organizers may start one', async () => {
    const meetingId = await meetingWith('1分钟后~后天', [{ id: 'huangmin', name: '黄敏', checkIn: false }]);
    const refused = await t.sim.ask(GROUP, 'huangmin', `问卷 发起 #${meetingId}`);
    expect(refused.text).toContain('只有会议');
    const none = await t.sim.ask(GROUP, 'wangfang', `问卷 发起 #${meetingId}`);
    expect(none.text).toContain('还没有人签到');
    const started = await t.sim.ask(GROUP, 'wangfang', `问卷 发起 #${meetingId} 实名 已确认`);
    expect(started.text).toContain('实名');
    expect(started.text).toContain('1 位确认参加');
    const card = await t.sim.nextBotMessage('dm-huangmin', 0, surveyCard);
    expect(card.card?.body).toContain('实名问卷');
    const surveyId = Number(/#(\d+)/.exec(card.card!.title)![1]);
    await t.sim.ask('dm-huangmin', 'huangmin', `问卷 评分 #${surveyId} 5 5 5 5 5 很满意`);
    const row = await t.app.services.db.surveyResponse.findFirst({ where: { surveyId } });
    expect(row?.userId).toBe('simulator:huangmin');
  });

  it('stores nothing that links a respondent to an answer: no order, no timing, no values beside a user id in the database or Redis', async () => {
    const people = [
      { id: 'zhangwei', name: '张伟', checkIn: true },
      { id: 'liuyang', name: '刘洋', checkIn: true },
      { id: 'sunli', name: '孙丽', checkIn: true },
      { id: 'huangmin', name: '黄敏', checkIn: true },
      { id: 'wujun', name: '吴军', checkIn: true },
    ];
    const before = Object.fromEntries(await Promise.all(people.map(async (p) => [p.id, await cursor(`dm-${p.id}`)] as const)));
    const meetingId = await meetingWith('1分钟后~后天', people);
    const started = await t.sim.ask(GROUP, 'wangfang', `问卷 发起 #${meetingId}`);
    expect(started.text).toContain('匿名');
    const surveyId = Number(/问卷 #(\d+)/.exec(started.text ?? '')![1]);
    const marker = `anon${Date.now().toString(36)}`;
    const comment = (i: number) => `${marker}-comment-${i}`;

    // Four answer on the card, one by text, in a known order.
    for (const [i, p] of people.entries()) {
      if (i === people.length - 1) {
        expect((await t.sim.ask(`dm-${p.id}`, p.id, `问卷 评分 #${surveyId} 1 2 3 4 5 ${comment(i)}`)).text).toContain('已提交');
        continue;
      }
      const card = (await t.sim.nextBotMessage(`dm-${p.id}`, before[p.id]!, (m) => m.card?.id.startsWith(`sv-${surveyId}-`) ?? false)).card!;
      const values = { d0: String(1 + i), d1: '5', d2: String(5 - i), d3: '3', d4: '4', comment: comment(i) };
      expect((await t.sim.click(card.id, p.id, 'survey.submit', values)).body.accepted).toBe(true);
      await t.sim.waitForCard(`dm-${p.id}`, card.id, (c) => c.state?.status === 'submitted');
    }
    const { db } = t.app.services;

    // The answers: no respondent, no time, and no insertion order (docs/database.md). SQLite: the
    // table has no rowid and returns its rows in the order of their random ids. PostgreSQL: each
    // submission rewrote the survey's answers, so they lie in the heap (ctid) in the order of
    // their random ids and were all written by one transaction (one xmin).
    const stored = await db.$queryRawUnsafe<Array<Record<string, unknown>>>(`SELECT * FROM "SurveyResponse" WHERE "surveyId" = ${onPostgres ? '$1' : '?'}`, surveyId);
    expect(stored).toHaveLength(people.length);
    expect(Object.keys(stored[0]!).sort()).toEqual(['comment', 'id', 'ratings', 'surveyId', 'userId']);
    for (const row of stored) expect(row.userId).toBeNull();
    if (onPostgres) {
      const physical = await db.$queryRawUnsafe<Array<{ id: string; writer: string }>>(
        'SELECT "id", xmin::text AS writer FROM "SurveyResponse" WHERE "surveyId" = $1 ORDER BY ctid',
        surveyId,
      );
      const ids = physical.map((r) => r.id);
      expect(ids).toEqual([...ids].sort());
      expect(new Set(physical.map((r) => r.writer)).size).toBe(1);
    } else {
      const ids = stored.map((r) => String(r.id));
      expect(ids).toEqual([...ids].sort());
      await expect(db.$queryRawUnsafe('SELECT rowid FROM "SurveyResponse"')).rejects.toThrow(/rowid/);
    }

    // Nothing else in the database holds an answer's values (cards, messages, inbound events).
    const elsewhere = JSON.stringify([await db.card.findMany(), await db.outboundMessage.findMany(), await db.inboundEvent.findMany()]);
    expect(elsewhere).not.toContain(marker);
    // The respondents' cards say that they answered, never what.
    const cards = await db.card.findMany({ where: { kind: 'survey', refId: String(surveyId) } });
    for (const c of cards) expect((JSON.parse(c.model) as Card).inputs?.filter((i) => i.value)).toEqual([]);

    // Redis: the inbound jobs are gone, and nothing left holds a value, not even the append-only file.
    const redis = connectRedis(t.env.REDIS_URL!);
    try {
      const keys = await redis.keys(`${t.env.HUIWU_QUEUE_PREFIX}:*`);
      expect(keys.some((k) => k.includes(':inbound:in-'))).toBe(false);
      for (const key of keys) {
        const type = await redis.type(key);
        const content =
          type === 'hash' ? await redis.hgetall(key)
          : type === 'stream' ? await redis.xrange(key, '-', '+')
          : type === 'zset' ? await redis.zrange(key, '0', '-1')
          : type === 'list' ? await redis.lrange(key, 0, -1)
          : type === 'set' ? await redis.smembers(key)
          : await redis.get(key);
        expect(JSON.stringify(content), key).not.toContain(marker);
      }
      const aof = await appendOnlyText(redis, `${marker}-flushed`);
      if (aof !== null) expect(aof.split(`${marker}-flushed`)[0]).not.toContain(marker);
    } finally {
      redis.disconnect();
    }
  });

  it('alerts the organizers once per drop below target, however often the results are viewed', async () => {
    const people = [
      { id: 'sunli', name: '孙丽', checkIn: false },
      { id: 'liuyang', name: '刘洋', checkIn: false },
      { id: 'wujun', name: '吴军', checkIn: false },
    ];
    const meetingId = await meetingWith('1分钟后~后天', people);
    const started = await t.sim.ask(GROUP, 'wangfang', `问卷 发起 #${meetingId} 已确认`);
    const surveyId = Number(/问卷 #(\d+)/.exec(started.text ?? '')![1]);
    const alerts = () => t.app.services.db.outboundMessage.count({ where: { id: { startsWith: `survey-${surveyId}-lowscore-` } } });
    const view = async () => {
      const before = await cursor(GROUP);
      await t.sim.say(GROUP, 'wangfang', `@会务助手 问卷 结果 #${surveyId}`);
      await t.sim.nextBotMessage(GROUP, before, (m) => m.text?.includes(`问卷 #${surveyId}`) ?? false);
    };
    const rate = (who: string, score: number) => t.sim.ask(`dm-${who}`, who, `问卷 评分 #${surveyId} 5 5 5 5 ${score}`);

    await rate('sunli', 4);
    await view(); // 4 < 4.5: the first drop is alerted
    expect(await alerts()).toBe(1);
    await view();
    await view();
    expect(await alerts()).toBe(1);
    await rate('liuyang', 5);
    await view(); // 4.5: recovered, nothing sent
    expect(await alerts()).toBe(1);
    await rate('wujun', 1);
    await view(); // 3.33: a new drop is a new alert
    await view();
    expect(await alerts()).toBe(2);
    const dm = await t.sim.messages('dm-wangfang');
    expect(dm.filter((m) => m.text?.includes(`满意度 3.33 低于目标`)).length).toBe(1);
  });

  it("speaks each reader's language: English words, cards and reminders for English speakers, results in the group's language", async () => {
    for (const u of ['zhaolei', 'zhangwei']) expect((await t.sim.ask(`dm-${u}`, u, 'language English')).text).toContain('English');
    try {
      const created = await t.sim.ask(GROUP, 'zhaolei', '会议 新建 Retro 1分钟后~后天 地点 大会议室');
      const meetingId = Number(/#(\d+)/.exec(created.text ?? '')![1]);
      await t.sim.ask(GROUP, 'zhaolei', `会议 邀请 #${meetingId} @张伟 @刘洋`);
      for (const u of ['zhangwei', 'liuyang']) await t.sim.ask(`dm-${u}`, u, `会议 回复 #${meetingId} 参加`);
      const before = { zhangwei: await cursor('dm-zhangwei'), liuyang: await cursor('dm-liuyang') };

      const started = await t.sim.ask(GROUP, 'zhaolei', `survey start #${meetingId} named confirmed until tomorrow 6pm`);
      expect(started.text).toMatch(/^✅ Satisfaction survey #\d+ \(named\) sent to 2 confirmed attendees\nDeadline: \d{4}-\d\d-\d\d 18:00;/);
      const english = (await t.sim.nextBotMessage('dm-zhangwei', before.zhangwei, (m) => m.card?.title.startsWith('⭐ Satisfaction survey') ?? false)).card!;
      const surveyId = Number(/#(\d+)/.exec(english.title)![1]);
      expect(english.title).toBe(`⭐ Satisfaction survey #${surveyId}: Retro`);
      expect(english.body).toContain('📝 Named survey');
      // Dimension names stay as configured; everything around them is English.
      expect(english.inputs?.map((i) => i.label)).toEqual(['议程安排', '会务服务', '场地设施', '餐饮', '总体满意度', 'Comments and suggestions (optional)']);
      expect(english.inputs?.[0]?.options?.map((o) => o.label)).toEqual(['5 very satisfied', '4 satisfied', '3 neutral', '2 dissatisfied', '1 very dissatisfied']);
      expect(english.actions?.map((a) => a.label)).toEqual(['Submit']);
      const chinese = (await t.sim.nextBotMessage('dm-liuyang', before.liuyang, surveyCard)).card!;
      expect(chinese.body).toContain('实名问卷');

      expect((await t.sim.ask('dm-zhangwei', 'zhangwei', `survey rate #${surveyId} 5 5 4`)).text).toContain('Please write 5 scores from 1 to 5, in this order: 议程安排, 会务服务');
      expect((await t.sim.ask('dm-zhangwei', 'zhangwei', `survey rate #${surveyId} 3 4 3 2 3 nice`)).text).toBe(`✅ Survey #${surveyId} submitted, thank you for your feedback!`);
      await t.sim.waitForCard('dm-zhangwei', english.id, (c) => c.state?.label === '✅ Submitted, thank you for your feedback!');
      expect((await t.sim.ask(GROUP, 'zhaolei', `survey nudge #${surveyId}`)).text).toContain('📣 Reminded 1 person who has not answered yet');
      await t.sim.nextBotMessage('dm-liuyang', before.liuyang, (m) => m.text?.includes('还差你的评分') ?? false);

      expect((await t.sim.ask(GROUP, 'zhaolei', 'language group English')).text).toContain('English');
      const groupBefore = await cursor(GROUP);
      const dmBefore = await cursor('dm-zhaolei');
      await t.sim.say(GROUP, 'zhaolei', `@会务助手 survey close #${surveyId}`);
      const results = await t.sim.nextBotMessage(GROUP, groupBefore, (m) => m.text?.startsWith('📊') ?? false);
      expect(results.text).toContain(`📊 Satisfaction survey #${surveyId} “Retro”: results`);
      expect(results.text).toContain('Response rate: 1/2 (50%)');
      expect(results.text).toContain('总体满意度: 3 (target ≥4.5) ⚠️ below target');
      expect(results.text).toContain('• 餐饮: 2  scores 5×0 4×0 3×0 2×1 1×0');
      expect(results.text).toContain('“nice”');
      const image = await t.sim.nextBotMessage(GROUP, groupBefore, (m) => m.image !== undefined);
      expect(image.text).toBe('Satisfaction chart: 议程安排 3, 会务服务 4, 场地设施 3, 餐饮 2, 总体满意度 3');
      const alert = await t.sim.nextBotMessage('dm-zhaolei', dmBefore, (m) => m.text?.startsWith('⚠️') ?? false);
      expect(alert.text).toBe(`⚠️ Satisfaction with meeting #${meetingId} “Retro” is 3, below the target of 4.5. Lowest: 餐饮 2, 议程安排 3. Please read the comments and follow up.`);
    } finally {
      await t.sim.ask(GROUP, 'zhaolei', 'language group default');
      for (const u of ['zhaolei', 'zhangwei']) await t.sim.ask(`dm-${u}`, u, 'language default');
    }
  });
});
