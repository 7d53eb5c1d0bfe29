/**
 * A department of 1,500 invited at once: the reply is the normal one and every listener of the
 * change runs (reads keyed by 1,500 ids once exceeded the database's parameter limit, P2029,
 * and the organizer got "处理时出错了" although the invitations went out).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/harness.js';
import { seedDepartment } from '../support/fanout.js';

const N = 1500;
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ HUIWU_SIM_SEND_RATE: '100000', HUIWU_RECIPIENT_LIMIT_PER_MINUTE: '100000', HUIWU_GROUP_LIMIT_PER_MINUTE: '100000' });
});
afterAll(async () => {
  await t?.close();
});

describe('a large invitation', () => {
  it('invites a department of 1,500 and answers as usual; a dietary answer among them is learnt', async () => {
    const ids = await seedDepartment(t.app.services.db, '代表团', N, 'big');
    const created = await t.sim.ask('prep-group', 'wangfang', '会议 新建 代表大会 后天上午9点 地点 礼堂');
    const meetingId = Number(/#(\d+)/.exec(created.text ?? '')![1]);
    const reply = await t.sim.ask('prep-group', 'wangfang', `会议 邀请 #${meetingId} 部门 代表团`, 60_000);
    expect(reply.text).toContain(`已邀请 ${N} 人`);

    // Every listener of the change ran on the whole list: one answered with a dietary need before
    // (an organizer-free answer) is learnt when the list is re-announced with all 1,500.
    const db = t.app.services.db;
    const last = `simulator:${ids.at(-1)!}`;
    await db.attendee.updateMany({ where: { meetingId, userId: last }, data: { response: 'yes', dietary: 'vegetarian' } });
    await t.app.services.events.emit('meeting.attendees-changed', { meetingId, userIds: ids.map((id) => `simulator:${id}`) });
    expect((await db.attendeeProfile.findUnique({ where: { userId: last } }))?.dietary).toBe('vegetarian');
  }, 120_000);
});
