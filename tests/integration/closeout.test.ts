/**
 * Close-out: `会议 结束 #N` posts a checklist in the organizers' group with the open incident, task
 * and survey, each with the command that closes it; closing them and pressing 刷新 empties it. The
 * automatic close-out runs HUIWU_CLOSEOUT_DELAY after the end and follows the meeting when it moves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/harness.js';

const GROUP = 'prep-group';
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ HUIWU_CLOSEOUT_DELAY: '2s', HUIWU_GROUP_LIMIT_PER_MINUTE: '1000', HUIWU_RECIPIENT_LIMIT_PER_MINUTE: '1000' });
});
afterAll(async () => {
  await t?.close();
});

const idOf = (text: string | undefined) => Number(/#(\d+)/.exec(text ?? '')?.[1]);

describe('meeting close-out', () => {
  it('lists what is still open with the commands that close it, and refreshes once they are closed', async () => {
    const meetingId = idOf((await t.sim.ask(GROUP, 'wangfang', '会议 新建 总结会 明天上午9点~11点 地点 大会议室')).text);
    await t.sim.ask(GROUP, 'wangfang', `会议 邀请 #${meetingId} @周婷`);
    await t.sim.ask('dm-zhouting', 'zhouting', `会议 回复 #${meetingId} 参加`);
    const taskId = idOf((await t.sim.ask(GROUP, 'wangfang', `任务 @张伟 归还音响设备 截止 后天下午3点 会议 #${meetingId}`)).text);
    const incidentId = idOf((await t.sim.ask(GROUP, 'wujun', `上报 设备 P3 大会议室 话筒没声音 会议 #${meetingId}`)).text);
    const surveyId = idOf((await t.sim.ask(GROUP, 'wangfang', `问卷 发起 #${meetingId} 已确认`)).text);
    expect([taskId, incidentId, surveyId].every((n) => n > 0)).toBe(true);

    // Only organizers close out.
    expect((await t.sim.ask(GROUP, 'zhouting', `会议 结束 #${meetingId}`)).text).toContain(`只有会议 #${meetingId} 的组织者`);
    expect(await t.app.services.cards.get(`closeout-m${meetingId}`)).toBeNull();

    const reply = await t.sim.ask(GROUP, 'wangfang', `会议 结束 #${meetingId}`);
    expect(reply.text).toContain('还有 3 项未完成');
    const cardId = `closeout-m${meetingId}`;
    const card = await t.sim.waitForCard(GROUP, cardId, () => true);
    expect(card.title).toContain(`会议 #${meetingId}「总结会」收尾清单`);
    expect(card.body).toContain(`#${incidentId}`);
    expect(card.body).toContain(`→ 事件 解决 #${incidentId} <处理结果>`);
    expect(card.body).toContain('归还音响设备');
    expect(card.body).toContain(`→ 任务 完成 #${taskId}`);
    expect(card.body).toContain(`→ 问卷 关闭 #${surveyId}`);
    expect(card.state?.status).toBe('open');

    // Each command closes its item; the refresh button shows what remains.
    await t.sim.ask(GROUP, 'zhangwei', `任务 完成 #${taskId}`);
    const partial = await t.sim.click(cardId, 'wangfang', 'closeout.refresh');
    expect(partial.body).toMatchObject({ accepted: true, message: '已刷新：还有 2 项未完成' });
    await t.sim.waitForCard(GROUP, cardId, (c) => !(c.body ?? '').includes(`任务 完成 #${taskId}`));
    expect((await t.sim.ask(GROUP, 'wangfang', `事件 解决 #${incidentId} 已更换话筒`)).text).toBeDefined();
    expect((await t.sim.ask(GROUP, 'wangfang', `问卷 关闭 #${surveyId}`)).text).toBeDefined();
    // Not an organizer: the button refuses and changes nothing.
    const refused = await t.sim.click(cardId, 'zhouting', 'closeout.refresh');
    expect(refused.body.accepted).toBe(false);
    expect((await t.sim.click(cardId, 'wangfang', 'closeout.refresh')).body).toMatchObject({ accepted: true, message: '已刷新：还有 0 项未完成' });
    const clear = await t.sim.waitForCard(GROUP, cardId, (c) => c.state?.status === 'clear');
    expect(clear.body).toContain('所有事件、任务和问卷都已处理完毕');

    // In English, on request.
    const english = await t.sim.ask(GROUP, 'zhaolei', `meeting close #${meetingId}`);
    expect(english.text).toContain(`Only the organizers of meeting #${meetingId} can close it out`);
    const own = await t.sim.ask(GROUP, 'wangfang', `meeting close #${meetingId}`);
    expect(own.text).toContain(`Close-out checklist of meeting #${meetingId} "总结会" posted: nothing is left open.`);
  }, 60_000);

  it('closes out by itself after the end, following the meeting when it moves', async () => {
    const meetingId = idOf((await t.sim.ask(GROUP, 'wangfang', '会议 新建 复盘会 明天下午2点~3点')).text);
    const s = t.app.services;
    const meeting = (await s.meetings.get(meetingId))!;
    const firstDue = s.closeout.dueAt(meeting).getTime();
    expect(await s.scheduler.exists(`closeout-m${meetingId}-${firstDue}`)).toBe(true);

    // Moved: it now ended a moment ago, so its close-out is due two seconds later.
    const end = new Date(Date.now() + 500);
    const { meeting: moved } = await s.meetings.reschedule(meeting, new Date(end.getTime() - 3600_000), end);
    const due = s.closeout.dueAt(moved).getTime();
    expect(due).toBe(end.getTime() + 2000);
    expect(await s.scheduler.exists(`closeout-m${meetingId}-${due}`)).toBe(true);
    // The job of the old time finds the meeting moved and does nothing.
    expect(await s.closeout.auto({ meetingId, dueAt: firstDue })).toBe('skipped: the meeting moved');

    const card = await t.sim.waitForCard(GROUP, `closeout-m${meetingId}`, () => true, 15_000);
    expect(card.title).toContain(`会议 #${meetingId}「复盘会」收尾清单`);
    expect(card.state?.status).toBe('clear');
    // Once posted, a late duplicate of the job posts nothing more.
    expect(await s.closeout.auto({ meetingId, dueAt: due })).toBe('skipped: already closed out');
  }, 30_000);
});
