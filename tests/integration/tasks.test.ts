/**
 * Tasks and preparation checklists end to end through the simulator: a department task from
 * assignment to done with reminders, transfers within the department, overdue escalation,
 * refusals, nudges, due changes that move the jobs, departments by command, and the checklist's
 * completion rate with on-time, late and open items plus the organizers' digest.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/harness.js';
import type { SimMessage } from '../support/sim-client.js';

const GROUP = 'prep-group';
const ADMIN_TOKEN = 'test-admin-token-0123456789';
let t: TestApp;

beforeAll(async () => {
  // Reminders 3 s before and at the due time; overdue escalation 1 s after it; digest every 2 s.
  t = await startTestApp({
    HUIWU_TASK_REMINDERS: '3s,0s',
    HUIWU_TASK_ESCALATE_AFTER: '1s',
    HUIWU_CHECKLIST_DIGEST_CRON: '*/2 * * * * *',
    HUIWU_RECIPIENT_LIMIT_PER_MINUTE: '1000',
    HUIWU_ADMIN_TOKEN: ADMIN_TOKEN,
  });
});
afterAll(async () => {
  await t?.close();
});

const idOf = (m: SimMessage) => Number(/#(\d+)/.exec(m.text ?? '')![1]);
const cursor = async (conversation: string) => (await t.sim.messages(conversation)).at(-1)?.id ?? 0;
const cardId = (id: number, user: string) => `task-${id}-simulator_${user}`;
const textWith = (...parts: string[]) => (m: SimMessage) => parts.every((p) => m.text?.includes(p) ?? false);

async function createTask(from: string, text: string): Promise<number> {
  const reply = await t.sim.ask(GROUP, from, text);
  expect(reply.text).toContain('已创建任务');
  return idOf(reply);
}

describe('tasks', () => {
  it('runs a department task: head gets the card, accepts, is reminded, completes; the creator hears of each step', async () => {
    const dm = { zhangwei: await cursor('dm-zhangwei'), wangfang: await cursor('dm-wangfang') };
    const reply = await t.sim.ask(GROUP, 'wangfang', '任务 行政部 布置主会场 截止 6秒后 高');
    expect(reply.text).toMatch(/已创建任务 #\d+「布置主会场」/);
    expect(reply.text).toContain('负责人：张伟（行政部负责人）');
    expect(reply.text).toContain('优先级 高');
    const id = idOf(reply);
    const card = (await t.sim.nextBotMessage('dm-zhangwei', dm.zhangwei, (m) => m.card?.id === cardId(id, 'zhangwei'))).card!;
    expect(card.actions?.map((a) => a.label)).toEqual(['接受', '完成', '受阻', '转交']);
    expect(card.inputs?.find((i) => i.key === 'to')?.options?.map((o) => o.label).sort()).toEqual(['王芳', '赵磊'].sort());

    expect((await t.sim.click(card.id, 'zhangwei', 'task.accept')).body.accepted).toBe(true);
    await t.sim.nextBotMessage('dm-wangfang', dm.wangfang, textWith(`任务 #${id}「布置主会场」：张伟 已接受`));
    const accepted = await t.sim.waitForCard('dm-zhangwei', card.id, (c) => c.state?.status === 'accepted');
    expect(accepted.actions?.map((a) => a.label)).toEqual(['完成', '受阻', '转交']);

    // 3 s before the due time.
    await t.sim.nextBotMessage('dm-zhangwei', dm.zhangwei, textWith(`任务 #${id}「布置主会场」将于`), 10_000);
    const done = await t.sim.click(card.id, 'zhangwei', 'task.done');
    expect(done.body).toMatchObject({ accepted: true, message: '已完成（按时）' });
    await t.sim.nextBotMessage('dm-wangfang', dm.wangfang, textWith(`任务 #${id}「布置主会场」：张伟 已完成（按时）`));
    // Done: the remaining reminder and the escalation are gone, and would do nothing anyway.
    const row = (await t.app.services.tasks.get(id))!;
    for (const job of [`task-${id}-remind-0s-${row.dueAt.getTime()}`, `task-${id}-overdue-${row.dueAt.getTime()}`]) {
      expect(await t.app.queues.schedule.getJob(job)).toBeUndefined();
    }
    expect(await t.app.services.tasks.overdue({ taskId: id, dueAt: row.dueAt.getTime() }, new Date())).toBe('skipped');
    await t.sim.waitForCard('dm-zhangwei', card.id, (c) => c.state?.closed === true);
  });

  it('lets the head hand a department task on within the department only, and escalates it when overdue', async () => {
    const dm = { sunli: await cursor('dm-sunli'), wujun: await cursor('dm-wujun'), zhaolei: await cursor('dm-zhaolei') };
    const id = await createTask('zhaolei', '任务 财务部 汇总报销单 截止 4秒后');
    const card = (await t.sim.nextBotMessage('dm-sunli', dm.sunli, (m) => m.card?.id === cardId(id, 'sunli'))).card!;
    const outside = await t.sim.click(card.id, 'sunli', 'task.transfer', { to: 'simulator:zhouting' });
    expect(outside.body).toMatchObject({ accepted: false });
    expect((outside.body as { reason: string }).reason).toContain('只能转交给财务部的成员');
    const inside = await t.sim.click(card.id, 'sunli', 'task.transfer', { to: 'simulator:wujun' });
    expect(inside.body).toMatchObject({ accepted: true, message: '已转交给 吴军' });
    await t.sim.waitForCard('dm-sunli', card.id, (c) => c.state?.label === '已转交给 吴军');
    await t.sim.nextBotMessage('dm-wujun', dm.wujun, (m) => m.card?.id === cardId(id, 'wujun'));
    await t.sim.nextBotMessage('dm-zhaolei', dm.zhaolei, textWith(`任务 #${id}`, '孙丽 已转交（新负责人 吴军）'));

    // Nobody finishes it: at the due time the assignee is reminded, after it the head and the creator are told.
    await t.sim.nextBotMessage('dm-wujun', dm.wujun, textWith(`任务 #${id}「汇总报销单」已到截止时间`), 10_000);
    await t.sim.nextBotMessage('dm-sunli', dm.sunli, textWith(`任务 #${id}「汇总报销单」已逾期`, '负责人 吴军'), 10_000);
    await t.sim.nextBotMessage('dm-zhaolei', dm.zhaolei, textWith(`任务 #${id}「汇总报销单」已逾期`), 10_000);
    const overdue = await t.sim.ask(GROUP, 'zhaolei', '任务 列表 逾期');
    expect(overdue.text).toContain(`#${id} 汇总报销单 · 吴军（财务部）`);
    expect(overdue.text).toContain('⚠️逾期');
    const mine = await t.sim.ask('dm-wujun', 'wujun', '任务 列表');
    expect(mine.text).toContain(`#${id} 汇总报销单`);
    const byDept = await t.sim.ask(GROUP, 'sunli', '任务 列表 部门 财务部');
    expect(byDept.text).toContain(`#${id} 汇总报销单`);
  });

  it('refuses changes by people who are not creator, assignee, head or organizer, and says why', async () => {
    const id = await createTask('zhaolei', '任务 @周婷 准备签到二维码 截止 明天下午3点');
    const refused = await t.sim.ask(GROUP, 'huangmin', `任务 完成 #${id}`);
    expect(refused.text).toContain(`只有任务 #${id} 的创建人（赵磊）、负责人（周婷）或组织者可以完成`);
    expect((await t.sim.ask(GROUP, 'huangmin', `任务 改期 ${id} 后天上午9点`)).text).toContain('可以改截止时间');
    expect((await t.sim.ask(GROUP, 'huangmin', `任务 催办 #${id}`)).text).toContain('可以催办');
    expect((await t.app.services.tasks.get(id))?.status).toBe('open');
    expect((await t.sim.ask(GROUP, 'huangmin', '任务 @周婷 准备茶歇')).text).toContain('缺少截止时间');
    expect((await t.sim.ask(GROUP, 'huangmin', '任务 不存在的部门 做点什么 截止 明天')).text).toContain('请 @ 负责人，或写部门名称');
    // A department head who is not this task's head cannot change it either.
    expect((await t.sim.ask(GROUP, 'sunli', `任务 受阻 #${id} 没空`)).text).toContain('可以标记受阻');
  });

  it('records nudges, tells followers, and moves the reminders when the due time changes', async () => {
    const dm = { zhouting: await cursor('dm-zhouting'), huangmin: await cursor('dm-huangmin') };
    const id = await createTask('wangfang', '任务 @周婷 调试同传设备 截止 明天下午3点 紧急');
    expect((await t.sim.ask(GROUP, 'wangfang', `任务 关注 #${id} @黄敏`)).text).toContain('黄敏 已关注任务');
    expect((await t.sim.ask(GROUP, 'wangfang', `任务 催办 #${id}`)).text).toContain('第 1 次，已记录');
    await t.sim.nextBotMessage('dm-zhouting', dm.zhouting, textWith('王芳 催办任务', `#${id}`));
    // A follower may nudge too.
    expect((await t.sim.ask(GROUP, 'huangmin', `任务 催办 #${id}`)).text).toContain('第 2 次');
    const shown = await t.sim.ask(GROUP, 'wangfang', `任务 #${id}`);
    expect(shown.text).toContain('催办 2 次');
    expect(shown.text).toMatch(/王芳 催办：第 1 次\n[\s\S]*黄敏 催办：第 2 次$/);

    const before = (await t.app.services.tasks.get(id))!.dueAt.getTime();
    expect(await t.app.queues.schedule.getJob(`task-${id}-remind-3s-${before}`)).toBeDefined();
    expect((await t.sim.ask('dm-zhouting', 'zhouting', `任务 改期 #${id} 后天上午10点`)).text).toContain('提醒已按新时间重排');
    const after = (await t.app.services.tasks.get(id))!.dueAt.getTime();
    expect(await t.app.queues.schedule.getJob(`task-${id}-remind-3s-${before}`)).toBeUndefined();
    expect(await t.app.queues.schedule.getJob(`task-${id}-overdue-${before}`)).toBeUndefined();
    const moved = await t.app.queues.schedule.getJob(`task-${id}-remind-3s-${after}`);
    expect(Math.abs(moved!.timestamp + moved!.delay - (after - 3000))).toBeLessThan(100);
    await t.sim.nextBotMessage('dm-huangmin', dm.huangmin, textWith(`任务 #${id}`, '周婷 修改了截止时间'));
    expect((await t.sim.ask('dm-zhouting', 'zhouting', `任务 受阻 #${id} 等待供应商到货`)).text).toContain('已标记受阻');
    await t.sim.waitForCard('dm-zhouting', cardId(id, 'zhouting'), (c) => c.state?.label === '受阻：等待供应商到货');
  });

  it('manages departments by command (organizers only)', async () => {
    expect((await t.sim.ask(GROUP, 'huangmin', '部门 负责人 市场部 @黄敏')).text).toContain('只有组织者或管理员可以管理部门');
    expect((await t.sim.ask(GROUP, 'wangfang', '部门 负责人 市场部 @黄敏')).text).toContain('市场部负责人：黄敏');
    expect((await t.sim.ask(GROUP, 'wangfang', '部门 成员 市场部 @陈静')).text).toContain('已将 陈静 加入市场部');
    const dept = await t.sim.ask(GROUP, 'wangfang', '部门 市场部');
    expect(dept.text).toContain('市场部 · 负责人 黄敏');
    expect(dept.text).toContain('陈静');
    const list = await t.sim.ask(GROUP, 'wangfang', '部门 列表');
    expect(list.text).toContain('信息技术部 · 负责人 刘洋');
  });

  it('manages departments through the admin API, and a task to the new department goes to its head', async () => {
    const put = (user: string, body: unknown) =>
      fetch(`${t.baseUrl}/api/departments/${encodeURIComponent('会务组')}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'x-huiwu-user': user, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await put('simulator:huangmin', { headUserId: 'simulator:zhaolei' })).status).toBe(403);
    expect((await put('simulator:wangfang', { headUserId: 'simulator:nobody' })).status).toBe(422);
    const ok = await put('simulator:wangfang', { headUserId: 'simulator:zhaolei', memberIds: ['simulator:zhouting'] });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ name: '会务组', headUserId: 'simulator:zhaolei' });
    const list = await fetch(`${t.baseUrl}/api/departments`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'x-huiwu-user': 'simulator:wangfang' } });
    const depts = (await list.json()) as Array<{ name: string; memberIds: string[] }>;
    expect(depts.find((d) => d.name === '会务组')?.memberIds).toEqual(expect.arrayContaining(['simulator:zhaolei', 'simulator:zhouting']));
    const invalid = await fetch(`${t.baseUrl}/api/departments/${encodeURIComponent('会务 组')}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'x-huiwu-user': 'simulator:wangfang', 'content-type': 'application/json' },
      body: JSON.stringify({}),
    });
    expect(invalid.status).toBe(422);
    expect(await invalid.json()).toEqual({ error: '部门名称为 1-30 个字，不含空格', code: 'E_DEPT_NAME_INVALID' });
    const reply = await t.sim.ask(GROUP, 'wangfang', '任务 会务组 制作胸牌 截止 明天中午12点');
    expect(reply.text).toContain('负责人：赵磊（会务组负责人）');
  });

  it('computes the preparation completion rate with on-time, late and open items, per department, and sends the digest', async () => {
    const created = await t.sim.ask(GROUP, 'wangfang', '会议 新建 年度大会 10天后上午9点 地点 报告厅');
    const meetingId = idOf(created);
    const refused = await t.sim.ask(GROUP, 'zhouting', `清单 应用 #${meetingId}`);
    expect(refused.text).toContain(`只有会议 #${meetingId} 的组织者可以套用准备清单`);
    const dmWang = await cursor('dm-wangfang');
    const applied = await t.sim.ask(GROUP, 'wangfang', `清单 应用 #${meetingId}`);
    expect(applied.text).toContain('已生成 7 项准备任务');
    const items = await t.app.services.checklists.items(meetingId);
    const item = (key: string) => items.find((i) => i.checklistKey === key)!;
    expect(item('equipment').assigneeId).toBe('simulator:liuyang');
    expect(item('catering').assigneeId).toBe('simulator:sunli');
    expect(item('venue').dueAt.getTime()).toBe((await t.app.services.meetings.get(meetingId))!.startAt.getTime() - 7 * 86_400_000);

    // On time: the venue is done well before its due time.
    expect((await t.sim.ask('dm-zhangwei', 'zhangwei', `任务 完成 #${item('venue').id}`)).text).toContain('（按时）');
    // Late: equipment tests become due in 2 s and are finished after the due-time reminder.
    const dmLiu = await cursor('dm-liuyang');
    const dmSun = await cursor('dm-sunli');
    await t.sim.ask(GROUP, 'wangfang', `任务 改期 #${item('equipment').id} 2秒后`);
    await t.sim.ask(GROUP, 'wangfang', `任务 改期 #${item('catering').id} 2秒后`);
    await t.sim.nextBotMessage('dm-liuyang', dmLiu, textWith(`任务 #${item('equipment').id}`, '已到截止时间'), 10_000);
    expect((await t.sim.ask('dm-liuyang', 'liuyang', `任务 完成 #${item('equipment').id}`)).text).toContain('（逾期完成）');
    // Open and overdue: catering, past its due time and not done.
    await t.sim.nextBotMessage('dm-sunli', dmSun, textWith(`任务 #${item('catering').id}`, '已到截止时间'), 10_000);

    const report = await t.sim.ask(GROUP, 'wangfang', `清单 #${meetingId}`);
    expect(report.text).toContain('准备完成率 33.3%（1/3 项按时完成，目标 98%） ❌ 未达标');
    expect(report.text).toContain('逾期完成 1 · 逾期未完成 1 · 未到期 4');
    expect(report.text).toContain('行政部 100%（1/1）');
    expect(report.text).toContain('信息技术部 0%（0/1）');
    expect(report.text).toContain('财务部 0%（0/1）');
    expect(report.text).toContain(`✅ #${item('venue').id}`);
    expect(report.text).toContain(`🟠 #${item('equipment').id}`);
    expect(report.text).toContain(`🔴 #${item('catering').id}`);

    // The organizers' digest while items are open.
    const digest = await t.sim.nextBotMessage('dm-wangfang', dmWang, textWith(`会议 #${meetingId}「年度大会」准备进度`), 10_000);
    expect(digest.text).toContain('准备完成率');
    const figures = await t.sim.ask(GROUP, 'wangfang', '任务 列表 会议 #' + meetingId);
    expect(figures.text).toContain(`会议 #${meetingId}「年度大会」的任务（7）`);
  });

  it("speaks each reader's language: replies, the assignee's card and DMs, the creator's notices, checklist items", async () => {
    const dm = { zhouting: await cursor('dm-zhouting'), wangfang: await cursor('dm-wangfang') };
    expect((await t.sim.ask('dm-zhouting', 'zhouting', 'language English')).text).toContain('English');
    try {
      const id = await createTask('wangfang', '任务 @周婷 准备翻译耳机 截止 明天下午4点 高');
      const card = (await t.sim.nextBotMessage('dm-zhouting', dm.zhouting, (m) => m.card?.id === cardId(id, 'zhouting'))).card!;
      expect(card.title).toBe(`📋 Task #${id} 准备翻译耳机`);
      expect(card.actions?.map((a) => a.label)).toEqual(['Accept', 'Done', 'Blocked', 'Reassign']);
      expect(card.fields?.find((f) => f.label === 'Priority')?.value).toBe('high');
      expect(card.fallback).toBe(`Or reply: task accept #${id} | task done #${id} | task blocked #${id} <reason> | task reassign #${id} @someone`);

      // The nudge reaches her in English; her acceptance reaches the creator in Chinese.
      expect((await t.sim.ask(GROUP, 'wangfang', `任务 催办 #${id}`)).text).toContain('第 1 次，已记录');
      await t.sim.nextBotMessage('dm-zhouting', dm.zhouting, textWith(`📣 王芳 nudges you about task #${id}`, `task done #${id}`));
      expect((await t.sim.click(card.id, 'zhouting', 'task.accept')).body).toMatchObject({ accepted: true, message: 'Accepted' });
      await t.sim.nextBotMessage('dm-wangfang', dm.wangfang, textWith(`📋 任务 #${id}「准备翻译耳机」：周婷 已接受`));
      await t.sim.waitForCard('dm-zhouting', card.id, (c) => c.state?.label === 'in progress');

      // Her own commands are answered in English, the refusals too.
      const shown = await t.sim.ask('dm-zhouting', 'zhouting', `任务 #${id}`);
      expect(shown.text).toContain(`Task #${id} "准备翻译耳机" · in progress`);
      expect(shown.text).toMatch(/王芳 nudged: no\. 1\n[\s\S]*周婷 accepted/);
      const list = await t.sim.ask('dm-zhouting', 'zhouting', 'task list');
      expect(list.text).toContain('Your open tasks (');
      expect(list.text).toContain(`#${id} [high] 准备翻译耳机 · 周婷 · due `);
      expect((await t.sim.ask('dm-zhouting', 'zhouting', 'task done')).text).toContain('❌ The task number is missing');
    } finally {
      await t.sim.ask('dm-zhouting', 'zhouting', 'language default');
    }

    // An organizer who applies the checklist in English gets its items named in English.
    const meetingId = idOf(await t.sim.ask(GROUP, 'wangfang', '会议 新建 英文筹备会 12天后上午9点 地点 报告厅'));
    const applied = await t.sim.ask(GROUP, 'wangfang', `checklist apply #${meetingId}`);
    expect(applied.text).toContain(`✅ 7 preparation tasks created for meeting #${meetingId}`);
    expect(applied.text).toContain('Confirm the venue and its layout · 张伟 (行政部)');
    const report = await t.sim.ask(GROUP, 'wangfang', `checklist #${meetingId}`);
    expect(report.text).toContain('Preparation completion — (0/0 done on time, target 98%)');
    expect((await t.sim.ask(GROUP, 'wangfang', 'checklist template')).text).toContain('On-site staff roles and the check-in desk · 行政部 · 4 hours before');
    expect((await t.sim.ask(GROUP, 'wangfang', 'dept list')).text).toContain('信息技术部 · head 刘洋 · ');
  });

  it('reads the options after the text in any order, and names the meeting a task joins implicitly (or asks when several run)', async () => {
    const group = 'task-options-group';
    await t.app.services.directory.upsertConversation({
      platform: 'simulator',
      externalId: group,
      name: '任务选项群',
      type: 'group',
      memberIds: ['wangfang', 'zhouting', 'zhangwei'].map((u) => `simulator:${u}`),
    });
    const first = idOf(await t.sim.ask(group, 'wangfang', '会议 新建 签到演练 2小时后 地点 大厅'));

    // The documented order: text, due time, priority, meeting.
    const documented = await t.sim.ask(group, 'wangfang', `任务 @周婷 打印座签 截止 2分钟后 高 会议 #${first}`);
    expect(documented.text).toMatch(/已创建任务 #\d+「打印座签」\n/);
    expect(documented.text).toContain('优先级 高');
    expect(documented.text).toContain(`会议：#${first} 签到演练`);
    expect((await t.app.services.tasks.get(idOf(documented)))?.meetingId).toBe(first);
    for (const text of [`任务 @周婷 摆放水牌 会议 #${first} 截止 明天下午3点 紧急`, `任务 @周婷 摆放水牌 紧急 截止 会议 #${first} 明天下午3点`]) {
      const reply = await t.sim.ask(group, 'wangfang', text);
      expect(reply.text).toContain('已创建任务');
      const row = (await t.app.services.tasks.get(idOf(reply)))!;
      expect([row.title, row.priority, row.meetingId]).toEqual(['摆放水牌', 'urgent', first]);
    }
    expect((await t.sim.ask(group, 'wangfang', '任务 @周婷 摆放水牌 截止 明天下午3点 高 会议 #abc')).text).toContain('「#abc」不是会议编号');

    // Without 会议 #N the single current meeting is chosen, and the reply says so.
    const implicit = await t.sim.ask(group, 'wangfang', '任务 @周婷 准备签到表 截止 1小时后');
    expect(implicit.text).toContain(`（已关联会议 #${first}「签到演练」；如不对，请在命令末尾加上 会议 #编号）`);
    expect((await t.app.services.tasks.get(idOf(implicit)))?.meetingId).toBe(first);

    // Two meetings in the next hours: the task is refused until one is named, and nothing is created.
    const second = idOf(await t.sim.ask(group, 'wangfang', '会议 新建 彩排 3小时后 地点 大厅'));
    const before = await t.app.services.db.task.count();
    const ambiguous = await t.sim.ask(group, 'wangfang', '任务 @周婷 准备话筒 截止 1小时后');
    expect(ambiguous.text).toContain(`本群现在有多个会议（#${first} 签到演练 / #${second} 彩排）`);
    expect(await t.app.services.db.task.count()).toBe(before);
    const named = await t.sim.ask(group, 'wangfang', `任务 @周婷 准备话筒 截止 1小时后 会议 #${second}`);
    expect(named.text).not.toContain('已关联会议');
    expect((await t.app.services.tasks.get(idOf(named)))?.meetingId).toBe(second);
  });

  it('accepts the English words of every keyword shown in the English usage', async () => {
    const created = await t.sim.ask(GROUP, 'wangfang', 'task @zhangwei print badges due tomorrow 5pm high');
    expect(created.text).toMatch(/^✅ Task #\d+ "print badges" created/);
    expect(created.text).toContain('Assignee: 张伟');
    expect(created.text).toMatch(/Due: \d{4}-\d\d-\d\d 17:00 · priority high/);
    const id = idOf(created);
    const row = (await t.app.services.tasks.get(id))!;
    expect([row.assigneeId, row.priority]).toEqual(['simulator:zhangwei', 'high']);

    const dept = await t.sim.ask(GROUP, 'wangfang', 'task 行政部 set up the hall deadline tomorrow 3pm priority medium');
    expect(dept.text).toContain('Assignee: 张伟 (head of 行政部)');
    const deptId = idOf(dept);
    expect((await t.app.services.tasks.get(deptId))?.priority).toBe('normal');

    const steps: Array<[string, string, string]> = [
      ['zhangwei', `task accept #${id}`, `✅ Task #${id} "print badges" accepted`],
      ['wangfang', `task view #${id}`, `Task #${id} "print badges" · in progress`],
      ['wangfang', `task follow #${id} @黄敏`, `👀 黄敏 now follow task #${id}`],
      ['wangfang', `task nudge #${id}`, `📣 Task #${id} nudged (nudge no. 1, recorded)`],
      ['wangfang', `task reschedule #${id} tomorrow 6pm`, `🕒 Task #${id} is now due `],
      ['zhangwei', `task blocked #${id} waiting for the printer`, `⛔ Task #${id} marked blocked: waiting for the printer`],
      ['zhangwei', `task reassign #${id} @zhaolei`, `➡️ Task #${id} reassigned to 赵磊`],
      ['zhaolei', 'task list', `#${id} [high] print badges · 赵磊 · due `],
      ['zhaolei', `task done #${id}`, `🎉 Task #${id} "print badges" done (on time)`],
      ['wangfang', 'task list overdue', 'Overdue tasks (all)'],
      ['wangfang', 'task list dept 行政部', `#${deptId} set up the hall · 张伟 (行政部)`],
      ['wangfang', `task cancel #${deptId}`, `🚫 Task #${deptId} cancelled`],
      ['wangfang', 'task list meeting', 'This group has no current meeting'],
      ['wangfang', 'dept list', '行政部 · head 张伟 · '],
      ['wangfang', 'dept new 会展组 @黄敏', '✅ Department "会展组" created, head 黄敏'],
      ['wangfang', 'dept head 会展组 @赵磊', '✅ Head of 会展组: 赵磊'],
      ['wangfang', 'dept members 会展组 @吴军', '✅ Added 吴军 to 会展组'],
      ['wangfang', 'dept 会展组', '会展组 · head 赵磊'],
    ];
    for (const [who, command, expected] of steps) {
      expect((await t.sim.ask(GROUP, who, command)).text, command).toContain(expected);
    }
  });

  it("escalates an overdue personal task to the assignee's department head and the creator, and tells the followers, once", async () => {
    const dm = { liuyang: await cursor('dm-liuyang'), wangfang: await cursor('dm-wangfang'), huangmin: await cursor('dm-huangmin'), zhouting: await cursor('dm-zhouting') };
    // 周婷 is in 信息技术部 (again: an earlier test moved her), whose head is 刘洋.
    expect((await t.sim.ask(GROUP, 'wangfang', '部门 成员 信息技术部 @周婷')).text).toContain('已将 周婷 加入信息技术部');
    const id = await createTask('wangfang', '任务 @周婷 核对嘉宾名单 截止 4秒后');
    expect((await t.sim.ask(GROUP, 'wangfang', `任务 关注 #${id} @黄敏`)).text).toContain('黄敏 已关注任务');
    await t.sim.nextBotMessage('dm-liuyang', dm.liuyang, textWith(`🔴 任务 #${id}「核对嘉宾名单」已逾期`, '负责人 周婷'), 15_000);
    await t.sim.nextBotMessage('dm-wangfang', dm.wangfang, textWith(`🔴 任务 #${id}「核对嘉宾名单」已逾期`), 10_000);
    await t.sim.nextBotMessage('dm-huangmin', dm.huangmin, textWith(`🔴 你关注的任务 #${id}「核对嘉宾名单」已逾期`), 10_000);

    // The job running again (a retry) tells nobody twice and records one escalation.
    const row = (await t.app.services.tasks.get(id))!;
    expect(await t.app.services.tasks.overdue({ taskId: id, dueAt: row.dueAt.getTime() }, new Date())).toBe('skipped');
    const shown = await t.sim.ask(GROUP, 'wangfang', `任务 #${id}`);
    expect(shown.text?.match(/系统 逾期：已告知 刘洋、王芳/g)).toHaveLength(1);
    const overdueTexts = async (conversation: string, from: number) => (await t.sim.messages(conversation, from)).filter((m) => m.text?.startsWith('🔴') || m.text?.includes(`你关注的任务 #${id}`)).length;
    expect(await overdueTexts('dm-liuyang', dm.liuyang)).toBe(1);
    expect(await overdueTexts('dm-huangmin', dm.huangmin)).toBe(1);
    // The assignee was reminded at the due time, not escalated to.
    expect((await t.sim.messages('dm-zhouting', dm.zhouting)).some((m) => m.text?.includes(`任务 #${id}「核对嘉宾名单」已逾期`))).toBe(false);
  });

  it('builds each notice and history line once from the change itself, never by wrapping a finished label', async () => {
    const dm = { zhouting: await cursor('dm-zhouting'), wangfang: await cursor('dm-wangfang') };
    const id = await createTask('wangfang', '任务 @周婷 整理发言稿 截止 明天下午3点');
    const first = t.app.services.tasks.time((await t.app.services.tasks.get(id))!.dueAt);
    await t.sim.ask(GROUP, 'wangfang', `任务 改期 #${id} 2秒后`);
    const due = t.app.services.tasks.time((await t.app.services.tasks.get(id))!.dueAt);
    await t.sim.nextBotMessage('dm-zhouting', dm.zhouting, textWith(`📋 任务 #${id}「整理发言稿」：王芳 修改了截止时间（${first} → ${due}）`));
    await t.sim.nextBotMessage('dm-zhouting', dm.zhouting, textWith(`任务 #${id}「整理发言稿」已到截止时间`), 10_000);
    expect((await t.sim.ask('dm-zhouting', 'zhouting', `任务 完成 #${id}`)).text).toContain('（逾期完成）');
    const notice = await t.sim.nextBotMessage('dm-wangfang', dm.wangfang, textWith(`📋 任务 #${id}「整理发言稿」：周婷 已完成`));
    expect(notice.text).toBe(`📋 任务 #${id}「整理发言稿」：周婷 已完成（逾期，截止 ${due}）`);
    const shown = (await t.sim.ask(GROUP, 'wangfang', `任务 #${id}`)).text ?? '';
    expect(shown).toContain(`改期：${first} → ${due}`);
    expect(shown).toContain(`完成：逾期，截止 ${due}`);
    expect(shown).not.toMatch(/逾期完成（|截止时间改为/);
  });

  it('refuses every malformed or unknown number with a clear reply instead of an apology', async () => {
    const cases: Array<[string, string]> = [
      ['任务 列表 会议 #abc', '❌ 「#abc」不是会议编号，例如：任务 列表 会议 #1\n用法：'],
      ['任务 列表 会议 abc', '❌ 「abc」不是会议编号'],
      ['任务 列表 会议 #99999', '❌ 会议 #99999 不存在'],
      ['任务 列表 会议 #1 多余', '❌ 不认识「多余」'],
      ['task list meeting #abc', '❌ "#abc" is not a meeting number, e.g. task list meeting #1\nUsage:'],
      ['任务 #abc', '❌ 缺少任务编号，例如：任务 #1'],
      ['任务 #9999999999', '❌ 缺少任务编号'],
      ['任务 #99999', '❌ 任务 #99999 不存在'],
      ['任务 完成 abc', '❌ 缺少任务编号，例如：任务 完成 #1'],
      ['任务 查看', '❌ 缺少任务编号，例如：任务 查看 #1'],
      ['清单 #abc', '❌ 缺少会议编号，例如：清单 #1'],
      ['清单 应用 #abc', '❌ 缺少会议编号，例如：清单 应用 #1'],
      ['清单 #99999', '❌ 会议 #99999 不存在'],
    ];
    for (const [command, expected] of cases) {
      const reply = (await t.sim.ask(GROUP, 'wangfang', command)).text ?? '';
      expect(reply, command).toContain(expected);
      expect(reply, command).not.toContain('参考号');
    }
  });
});

