/**
 * Close-out: `会议 结束 #N` posts a checklist in the organizers' group with the open incident, task
 * and survey, each with the command that closes it; closing them and pressing 刷新 empties it. The
 * automatic close-out runs HUIWU_CLOSEOUT_DELAY after the end and follows the meeting when it moves.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Retention } from '../../src/services/retention.js';
import { startTestApp, type TestApp } from '../support/harness.js';
import { addressed } from '../support/sim-client.js';

const GROUP = 'prep-group';
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ HUIWU_CLOSEOUT_DELAY: '2s', HUIWU_ATTACHMENT_MAX_BYTES: '4096', HUIWU_GROUP_LIMIT_PER_MINUTE: '1000', HUIWU_RECIPIENT_LIMIT_PER_MINUTE: '1000' });
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

  it('updates the open checklist by itself when an item closes, without pressing 刷新', async () => {
    const meetingId = idOf((await t.sim.ask(GROUP, 'wangfang', '会议 新建 收尾会 明天上午9点~10点')).text);
    const taskId = idOf((await t.sim.ask(GROUP, 'wangfang', `任务 @张伟 寄回展板 截止 后天下午3点 会议 #${meetingId}`)).text);
    const incidentId = idOf((await t.sim.ask(GROUP, 'wujun', `上报 设备 P3 报告厅 投影偏色 会议 #${meetingId}`)).text);
    expect((await t.sim.ask(GROUP, 'wangfang', `会议 结束 #${meetingId}`)).text).toContain('还有 2 项未完成');
    const cardId = `closeout-m${meetingId}`;
    await t.sim.waitForCard(GROUP, cardId, (c) => (c.body ?? '').includes(`→ 任务 完成 #${taskId}`));
    const clicks = await t.app.services.db.inboundEvent.count();

    // The blocking task is completed: the card drops it on its own.
    await t.sim.ask(GROUP, 'zhangwei', `任务 完成 #${taskId}`);
    const after = await t.sim.waitForCard(GROUP, cardId, (c) => !(c.body ?? '').includes(`任务 完成 #${taskId}`));
    expect(after.body).toContain(`→ 事件 解决 #${incidentId} <处理结果>`);
    expect(after.state?.status).toBe('open');
    // The incident resolved: the card turns clear, still without a click.
    await t.sim.ask(GROUP, 'wangfang', `事件 解决 #${incidentId} 已校色`);
    const clear = await t.sim.waitForCard(GROUP, cardId, (c) => c.state?.status === 'clear');
    expect(clear.body).toContain('所有事件、任务和问卷都已处理完毕');
    // Only the two commands reached the bot: no 刷新 click in between.
    expect(await t.app.services.db.inboundEvent.count()).toBe(clicks + 2);
    // A meeting without a checklist card gets none from a change.
    const other = idOf((await t.sim.ask(GROUP, 'wangfang', '会议 新建 无清单会 明天下午4点~5点')).text);
    const otherTask = idOf((await t.sim.ask(GROUP, 'wangfang', `任务 @张伟 订水 截止 后天下午3点 会议 #${other}`)).text);
    await t.sim.ask(GROUP, 'zhangwei', `任务 完成 #${otherTask}`);
    expect(await t.app.services.cards.get(`closeout-m${other}`)).toBeNull();
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

  it('attaches files sent with 会议 附件 under the data folder, lists them, refuses big ones, and retention removes them', async () => {
    const meetingId = idOf((await t.sim.ask(GROUP, 'wangfang', '会议 新建 资料会 明天上午10点~11点')).text);
    /** Uploads through the simulator API, as the page's 📎 button does; returns the bot's reply. */
    const upload = async (from: string, name: string, data: Buffer, mime = 'application/pdf') => {
      const res = await t.sim.request<{ id: number }>('POST', '/sim/api/uploads', {
        conversation: GROUP,
        from,
        text: addressed(GROUP, `会议 附件 #${meetingId}`),
        name,
        mime,
        data: data.toString('base64'),
      });
      expect(res.status).toBe(202);
      return t.sim.nextBotMessage(GROUP, res.body.id, (m) => m.text !== undefined);
    };
    const agenda = Buffer.from('%PDF-1.4 agenda of the day');
    const added = await upload('wangfang', '../../etc/议程 v2.pdf', agenda);
    const hash = createHash('sha256').update(agenda).digest('hex');
    expect(added.text).toContain(`已将「../../etc/议程 v2.pdf」`);
    expect(added.text).toContain(`SHA-256 ${hash.slice(0, 12)}`);
    // Stored under the data folder by content hash, with a safe name.
    const folder = join(t.env.HUIWU_DATA_DIR!, 'attachments', `m${meetingId}`);
    expect(readdirSync(folder)).toEqual([`${hash.slice(0, 16)}-议程_v2.pdf`]);
    expect(readFileSync(join(folder, `${hash.slice(0, 16)}-议程_v2.pdf`))).toEqual(agenda);

    expect((await upload('wangfang', 'again.pdf', agenda)).text).toContain('已经是会议');
    const photo = Buffer.alloc(1000, 7);
    expect((await upload('wangfang', 'stage.png', photo, 'image/png')).text).toContain('已将「stage.png」');
    expect((await upload('wangfang', 'huge.pdf', Buffer.alloc(5000, 1))).text).toContain('超过附件上限');
    expect((await upload('zhouting', 'mine.pdf', Buffer.from('x'))).text).toContain(`只有会议 #${meetingId} 的组织者`);

    const list = (await t.sim.ask(GROUP, 'wangfang', `会议 附件 #${meetingId}`)).text;
    expect(list).toContain(`会议 #${meetingId} 的附件（2）`);
    expect(list).toContain('stage.png');
    expect((await t.sim.ask(GROUP, 'wangfang', `meeting attach #${meetingId}`)).text).toContain(`Attachments of meeting #${meetingId} (2)`);
    // Command first, file next (as on WeCom and DingTalk, whose images carry no caption): the file alone, unaddressed.
    const alone = await t.sim.request<{ id: number }>('POST', '/sim/api/uploads', { conversation: GROUP, from: 'wangfang', text: '', name: 'map.png', mime: 'image/png', data: Buffer.alloc(800, 3).toString('base64') });
    expect((await t.sim.nextBotMessage(GROUP, alone.body.id, (m) => m.text !== undefined)).text).toContain(`已将「map.png」`);

    // Retention: kept while the meeting is recent, removed HUIWU_ARCHIVE_RETENTION_DAYS (365) after it ended.
    const retention = new Retention(t.app.services.db, t.app.services.config, pino({ level: 'silent' }));
    expect((await retention.prune(new Date())).attachments).toBe(0);
    const later = new Date(Date.now() + 367 * 86_400_000);
    expect((await retention.prune(later)).attachments).toBe(3);
    expect(existsSync(join(folder, `${hash.slice(0, 16)}-议程_v2.pdf`))).toBe(false);
    expect((await t.sim.ask(GROUP, 'wangfang', `会议 附件 #${meetingId}`)).text).toContain('还没有附件');
  });
});
