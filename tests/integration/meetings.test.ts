/**
 * Meetings end to end through the simulator: create, invite, answer with different choices,
 * live counts, follow-ups to non-responders only, refusals, check-in, time change and cancel.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Card } from '../../cards/model.js';
import { startTestApp, type TestApp } from '../support/harness.js';
import type { SimMessage } from '../support/sim-client.js';

const GROUP = 'prep-group';
let t: TestApp;

beforeAll(async () => {
  // Follow-ups 45 s and reminders 40 s before the start: a meeting one minute out exercises both,
  // and leaves 15 s to invite and answer first, even on a loaded machine.
  t = await startTestApp({ HUIWU_RSVP_FOLLOWUPS: '45s', HUIWU_MEETING_REMINDERS: '40s', HUIWU_STATUS_REFRESH_MS: '300' });
});
afterAll(async () => {
  await t?.close();
});

const idOf = (m: SimMessage) => Number(/#(\d+)/.exec(m.text ?? '')![1]);
const field = (card: Card, label: string) => card.fields?.find((f) => f.label === label)?.value ?? '';
const cursor = async (conversation: string) => (await t.sim.messages(conversation)).at(-1)?.id ?? 0;
const inviteFor = (meetingId: number) => (m: SimMessage) => m.card?.title.startsWith(`📋 会议邀请 #${meetingId} `) ?? false;

async function createMeeting(text: string): Promise<number> {
  const reply = await t.sim.ask(GROUP, 'wangfang', text);
  expect(reply.text).toContain('已新建会议');
  return idOf(reply);
}

describe('meetings', () => {
  it('creates a meeting with title, time range and venue, and posts its status card in the group', async () => {
    const before = await cursor(GROUP);
    const reply = await t.sim.ask(GROUP, 'wangfang', '会议 新建 年会 明天下午3点~5点 地点 主会场');
    expect(reply.text).toMatch(/已新建会议 #\d+「年会」/);
    expect(reply.text).toMatch(/时间：\d{4}-\d{2}-\d{2} 15:00~17:00/);
    expect(reply.text).toContain('地点：主会场');
    const status = await t.sim.nextBotMessage(GROUP, before, (m) => m.card?.title.includes('实时统计') ?? false);
    expect(field(status.card!, '邀请')).toBe('0 人');
  });

  it('explains a malformed create and changes nothing', async () => {
    const count = await t.app.services.db.meeting.count();
    expect((await t.sim.ask(GROUP, 'wangfang', '会议 新建 年会')).text).toContain('用法');
    expect((await t.sim.ask(GROUP, 'wangfang', '会议 新建 明天下午3点')).text).toContain('缺少会议标题');
    expect((await t.sim.ask('dm-wangfang', 'wangfang', '会议 新建 年会 明天下午3点')).text).toContain('群聊');
    expect(await t.app.services.db.meeting.count()).toBe(count);
  });

  it('runs invitations, answers, live counts, follow-ups and refusals', async () => {
    const id = await createMeeting('会议 新建 筹备会 1分钟后 地点 三楼会议室');
    const dms = { zhaolei: await cursor('dm-zhaolei'), zhouting: await cursor('dm-zhouting'), wujun: await cursor('dm-wujun'), huangmin: await cursor('dm-huangmin') };

    // Only organizers may invite.
    const refused = await t.sim.ask(GROUP, 'zhouting', `会议 邀请 #${id} @黄敏`);
    expect(refused.text).toContain('只有会议');
    expect(await t.app.services.db.attendee.count({ where: { meetingId: id } })).toBe(0);

    const invited = await t.sim.ask(GROUP, 'wangfang', `会议 邀请 #${id} @赵磊 @周婷 @吴军 @黄敏`);
    expect(invited.text).toContain('已邀请 4 人');
    const cardOf = async (u: keyof typeof dms) => (await t.sim.nextBotMessage(`dm-${u}`, dms[u], inviteFor(id))).card!;
    const cards = { zhaolei: await cardOf('zhaolei'), zhouting: await cardOf('zhouting'), wujun: await cardOf('wujun'), huangmin: await cardOf('huangmin') };
    expect(cards.zhaolei.actions?.map((a) => a.label)).toEqual(['参加', '不参加', '待定']);
    expect(cards.zhaolei.inputs?.map((i) => i.key)).toEqual(['dietary', 'dietaryNote', 'accommodation', 'nights', 'note']);

    // A second invitation of the same people invites nobody twice.
    const again = await t.sim.ask(GROUP, 'wangfang', `会议 邀请 #${id} @赵磊`);
    expect(again.text).toContain('已邀请 0 人');
    expect(again.text).toContain('赵磊');

    // A stranger cannot answer someone else's card.
    const stranger = await t.sim.click(cards.zhaolei.id, 'zhouting', 'rsvp.yes');
    expect(stranger.status).toBe(403);
    // Bad form values are refused with the reason, nothing recorded.
    const bad = await t.sim.click(cards.zhaolei.id, 'zhaolei', 'rsvp.yes', { dietary: 'other', accommodation: 'no' });
    expect(bad.body).toMatchObject({ accepted: false });
    expect(bad.body.reason).toContain('请填写说明');
    expect((await t.app.services.rsvp.attendeeFor(id, 'simulator:zhaolei'))?.response).toBe('pending');

    const yes = await t.sim.click(cards.zhaolei.id, 'zhaolei', 'rsvp.yes', { dietary: 'vegetarian', accommodation: 'yes', nights: '2', note: '晚到半小时' });
    expect(yes.body.accepted).toBe(true);
    expect((await t.sim.click(cards.zhouting.id, 'zhouting', 'rsvp.no')).body.accepted).toBe(true);
    expect((await t.sim.click(cards.wujun.id, 'wujun', 'rsvp.maybe', { dietary: 'halal' })).body.accepted).toBe(true);

    const answered = await t.sim.waitForCard('dm-zhaolei', cards.zhaolei.id, (c) => c.state?.status === 'answered-yes');
    expect(answered.state?.label).toContain('参加 · 餐食：素食 · 住宿 2 晚 · 备注：晚到半小时');
    expect(answered.state?.closed).toBeFalsy();

    const statusId = `mstat-${id}`;
    const status = await t.sim.waitForCard(GROUP, statusId, (c) => field(c, '回复') === '参加 1 · 不参加 1 · 待定 1 · 未回复 1');
    expect(field(status, '餐食（参加者）')).toContain('素食 1');
    expect(field(status, '住宿')).toBe('第1晚 1 间 / 第2晚 1 间');

    // The attendee may change the answer before the cut-off.
    expect((await t.sim.click(cards.zhaolei.id, 'zhaolei', 'rsvp.yes', { dietary: 'none', accommodation: 'no' })).body.accepted).toBe(true);
    await t.sim.waitForCard(GROUP, statusId, (c) => field(c, '住宿') === '无');

    // Automatic follow-up (45 s before the start): the non-responder only.
    const followUp = await t.sim.nextBotMessage('dm-huangmin', dms.huangmin, (m) => m.text?.includes('还没有回复') ?? false, 20_000);
    expect(followUp.text).toContain(`#${id}`);
    // Reminder to confirmed attendees (40 s before): 赵磊 only.
    const reminder = await t.sim.nextBotMessage('dm-zhaolei', dms.zhaolei, (m) => m.text?.includes('会议提醒') ?? false, 20_000);
    expect(reminder.text).toContain('三楼会议室');

    // On demand: again only the non-responder.
    const nudged = await t.sim.ask(GROUP, 'wangfang', `会议 催办 #${id}`);
    expect(nudged.text).toContain('催办 1 位');
    await t.sim.nextBotMessage('dm-huangmin', followUp.id, (m) => m.text?.includes('还没有回复') ?? false);
    for (const u of ['zhouting', 'wujun', 'zhaolei']) {
      const texts = (await t.sim.messages(`dm-${u}`, dms[u as keyof typeof dms])).map((m) => m.text ?? '');
      expect(texts.some((x) => x.includes('还没有回复')), u).toBe(false);
    }
    expect((await t.sim.messages('dm-zhouting', dms.zhouting)).some((m) => m.text?.includes('会议提醒'))).toBe(false);

    // Check-in is open (within 30 min of the start): self, twice, and by an organizer by name.
    const first = await t.sim.ask('dm-zhaolei', 'zhaolei', `签到 #${id}`);
    expect(first.text).toContain('已签到会议');
    const second = await t.sim.ask('dm-zhaolei', 'zhaolei', `签到 #${id}`);
    expect(second.text).toContain('签到过');
    const notOrganizer = await t.sim.ask(GROUP, 'wujun', `签到 #${id} 黄敏`);
    expect(notOrganizer.text).toContain('只有会议');
    const byName = await t.sim.ask(GROUP, 'wangfang', `签到 #${id} 黄敏 不存在的人`);
    expect(byName.text).toContain('黄敏已签到');
    expect(byName.text).toContain('名单中没有「不存在的人」');
    const checked = await t.sim.waitForCard(GROUP, statusId, (c) => field(c, '签到').startsWith('2/2'));
    // Both check-ins fall in one minute unless the run straddled a minute boundary.
    const minutes = (await t.app.services.db.attendee.findMany({ where: { meetingId: id, checkedInAt: { not: null } } })).map((a) => Math.floor(a.checkedInAt!.getTime() / 60_000));
    expect(field(checked, '签到速度')).toContain(`峰值 ${new Set(minutes).size === 1 ? 2 : 1} 人/分钟`);
  }, 90_000);

  it('sends a check-in card to whoever confirms after check-in opened, and the button checks in', async () => {
    const id = await createMeeting('会议 新建 快会 10分钟后 地点 A');
    const before = await cursor('dm-sunli');
    await t.sim.ask(GROUP, 'wangfang', `会议 邀请 #${id} @孙丽`);
    const invite = await t.sim.nextBotMessage('dm-sunli', before, inviteFor(id));
    expect((await t.sim.click(invite.card!.id, 'sunli', 'rsvp.yes')).body.accepted).toBe(true);
    const checkinCard = await t.sim.nextBotMessage('dm-sunli', invite.id, (m) => m.card?.title.startsWith('✅ 会议签到') ?? false);
    const click = await t.sim.click(checkinCard.card!.id, 'sunli', 'checkin.self');
    expect(click.body.accepted).toBe(true);
    const done = await t.sim.waitForCard('dm-sunli', checkinCard.card!.id, (c) => c.state?.status === 'checked-in');
    expect(done.state?.closed).toBe(true);
    expect((await t.sim.ask('dm-sunli', 'sunli', '签到')).text).toContain('签到过');
  });

  it('refuses check-in before it opens', async () => {
    const id = await createMeeting('会议 新建 远期会 后天上午10点');
    await t.sim.ask(GROUP, 'wangfang', `会议 邀请 #${id} @刘洋`);
    const reply = await t.sim.ask('dm-liuyang', 'liuyang', `签到 #${id}`);
    expect(reply.text).toContain('签到将于');
  });

  it('moves a meeting: confirmed attendees are told and the jobs follow the new time', async () => {
    const id = await createMeeting('会议 新建 彩排 后天下午2点~4点');
    const before = await cursor('dm-zhangwei');
    await t.sim.ask(GROUP, 'wangfang', `会议 邀请 #${id} @张伟`);
    const invite = await t.sim.nextBotMessage('dm-zhangwei', before, inviteFor(id));
    await t.sim.click(invite.card!.id, 'zhangwei', 'rsvp.yes');
    const job = await t.app.queues.schedule.getJob(`meeting-${id}-checkin-open`);
    const oldDue = job!.timestamp + job!.delay;

    const notAllowed = await t.sim.ask(GROUP, 'zhangwei', `会议 改时间 #${id} 大后天下午3点`);
    expect(notAllowed.text).toContain('只有会议');
    const moved = await t.sim.ask(GROUP, 'wangfang', `会议 改时间 #${id} 大后天下午3点`);
    expect(moved.text).toMatch(/时间已改为 \d{4}-\d{2}-\d{2} 15:00~17:00/);
    const notice = await t.sim.nextBotMessage('dm-zhangwei', invite.id, (m) => m.text?.includes('时间变更') ?? false);
    expect(notice.text).toContain('15:00~17:00');
    const rescheduled = await t.app.queues.schedule.getJob(`meeting-${id}-checkin-open`);
    expect(rescheduled!.timestamp + rescheduled!.delay - oldDue).toBeGreaterThan(24 * 3600_000);

    const venue = await t.sim.ask(GROUP, 'wangfang', `会议 改地点 #${id} 报告厅`);
    expect(venue.text).toContain('报告厅');
    await t.sim.nextBotMessage('dm-zhangwei', notice.id, (m) => m.text?.includes('地点变更为 报告厅') ?? false);
  });

  it('updates every card of a moved meeting and tells each invitee who has not declined, once, what changed', async () => {
    const id = await createMeeting('会议 新建 改期测试 10分钟后 地点 一号厅');
    const people = ['zhaolei', 'zhouting', 'wujun', 'sunli'] as const;
    const before = Object.fromEntries(await Promise.all(people.map(async (u) => [u, await cursor(`dm-${u}`)]))) as Record<(typeof people)[number], number>;
    await t.sim.ask(GROUP, 'wangfang', `会议 邀请 #${id} @赵磊 @周婷 @吴军 @孙丽`);
    const invites = Object.fromEntries(
      await Promise.all(people.map(async (u) => [u, (await t.sim.nextBotMessage(`dm-${u}`, before[u], inviteFor(id))).card!])),
    ) as Record<(typeof people)[number], Card>;
    expect((await t.sim.click(invites.zhaolei.id, 'zhaolei', 'rsvp.yes')).body.accepted).toBe(true);
    expect((await t.sim.click(invites.wujun.id, 'wujun', 'rsvp.no')).body.accepted).toBe(true);
    expect((await t.sim.click(invites.sunli.id, 'sunli', 'rsvp.maybe')).body.accepted).toBe(true);
    // 赵磊 confirmed after check-in opened: he holds a check-in card too.
    const checkin = (await t.sim.nextBotMessage('dm-zhaolei', before.zhaolei, (m) => m.card?.title.startsWith('✅ 会议签到') ?? false)).card!;
    const oldTime = field(invites.zhaolei, '时间');

    const moved = await t.sim.ask(GROUP, 'wangfang', `会议 改时间 #${id} 20分钟后`);
    expect(moved.text).toContain('时间已改为');
    const newTime = t.app.services.meetings.timeText((await t.app.services.meetings.get(id))!);
    expect(newTime).not.toBe(oldTime);
    for (const u of people) {
      const card = await t.sim.waitForCard(`dm-${u}`, invites[u].id, (c) => field(c, '时间') === newTime);
      expect(card.state?.status ?? 'pending', u).toBe({ zhaolei: 'answered-yes', zhouting: 'pending', wujun: 'answered-no', sunli: 'answered-maybe' }[u]);
    }
    await t.sim.waitForCard('dm-zhaolei', checkin.id, (c) => field(c, '时间') === newTime);
    await t.sim.waitForCard(GROUP, `mstat-${id}`, (c) => field(c, '时间') === newTime);

    const venue = await t.sim.ask(GROUP, 'wangfang', `会议 改地点 #${id} 二号厅`);
    expect(venue.text).toContain('二号厅');
    for (const u of people) await t.sim.waitForCard(`dm-${u}`, invites[u].id, (c) => field(c, '地点') === '二号厅');
    await t.sim.waitForCard('dm-zhaolei', checkin.id, (c) => field(c, '地点') === '二号厅');
    await t.sim.waitForCard(GROUP, `mstat-${id}`, (c) => field(c, '地点') === '二号厅');

    // Everyone invited who has not declined, answered or not, got one notice per change, saying old -> new.
    for (const u of ['zhaolei', 'zhouting', 'sunli'] as const) {
      await t.sim.nextBotMessage(`dm-${u}`, before[u], (m) => m.text?.includes('地点变更为 二号厅（原 一号厅）') ?? false);
      const texts = (await t.sim.messages(`dm-${u}`, before[u])).map((m) => m.text ?? '');
      expect(texts.filter((x) => x.includes('时间变更为')), u).toEqual([`🕒 会议 #${id}「改期测试」时间变更为 ${newTime}（原 ${oldTime}）。`]);
      expect(texts.filter((x) => x.includes('地点变更为')), u).toHaveLength(1);
    }
    const declined = (await t.sim.messages('dm-wujun', before.wujun)).map((m) => m.text ?? '');
    expect(declined.some((x) => x.includes('变更为'))).toBe(false);

    // The same venue again is refused and sends nothing.
    expect((await t.sim.ask(GROUP, 'wangfang', `会议 改地点 #${id} 二号厅`)).text).toContain('已经是');
    // A new organizer shows on the cards too.
    expect((await t.sim.ask(GROUP, 'wangfang', `会议 组织者 #${id} @张伟`)).text).toContain('王芳、张伟');
    await t.sim.waitForCard('dm-zhouting', invites.zhouting.id, (c) => field(c, '组织者') === '王芳、张伟');
  });

  it('reads what a Chinese IME types: full-width separators and 地点：/venue:', async () => {
    const reply = await t.sim.ask(GROUP, 'wangfang', '会议 新建 测试会，明天下午3点～5点，地点：一号厅');
    expect(reply.text).toMatch(/已新建会议 #\d+「测试会」/);
    expect(reply.text).toMatch(/时间：\d{4}-\d{2}-\d{2} 15:00~17:00/);
    expect(reply.text).toContain('地点：一号厅');
    const id = idOf(reply);
    expect(await t.app.services.meetings.get(id)).toMatchObject({ title: '测试会', venue: '一号厅' });

    const english = idOf(await t.sim.ask(GROUP, 'wangfang', 'meeting new Demo day, tomorrow 3pm~5pm, venue: Hall 2'));
    expect(await t.app.services.meetings.get(english)).toMatchObject({ title: 'Demo day', venue: 'Hall 2' });

    expect((await t.sim.ask(GROUP, 'wangfang', `会议 改地点 #${id}，地点：三号厅`)).text).toContain('地点已改为 三号厅');
    expect((await t.app.services.meetings.get(id))?.venue).toBe('三号厅');

    const invited = await t.sim.ask(GROUP, 'wangfang', `会议 邀请 #${id}，部门：市场部、财务部`);
    expect(invited.text).toContain('已邀请 3 人');
    const answer = await t.sim.ask('dm-wujun', 'wujun', `会议 回复 #${id}，参加，过敏：花生；住宿2晚，备注：晚到，请留座`);
    // The router folds full-width punctuation (NFKC): the note keeps its comma, half-width.
    expect(answer.text).toContain('参加 · 餐食：过敏或其他（花生） · 住宿 2 晚 · 备注：晚到,请留座');
    const spaced = await t.sim.ask('dm-sunli', 'sunli', `会议 回复 #${id} 参加 住宿 2 晚`);
    expect(spaced.text).toContain('参加 · 餐食：无 · 住宿 2 晚');
  });

  it('cancels a meeting: jobs removed, cards closed, confirmed attendees told', async () => {
    const id = await createMeeting('会议 新建 待取消 后天上午9点');
    const before = await cursor('dm-liuyang');
    await t.sim.ask(GROUP, 'wangfang', `会议 邀请 #${id} @刘洋`);
    const invite = await t.sim.nextBotMessage('dm-liuyang', before, inviteFor(id));
    await t.sim.click(invite.card!.id, 'liuyang', 'rsvp.yes');
    const reply = await t.sim.ask(GROUP, 'wangfang', `会议 取消 #${id}`);
    expect(reply.text).toContain('已取消');
    await t.sim.nextBotMessage('dm-liuyang', invite.id, (m) => m.text?.includes('已取消') ?? false);
    const closed = await t.sim.waitForCard('dm-liuyang', invite.card!.id, (c) => c.state?.status === 'cancelled');
    expect(closed.state?.closed).toBe(true);
    for (const suffix of ['followup-3d', 'followup-1d', 'remind-1d', 'remind-1h', 'checkin-open', 'followup-45s', 'remind-40s']) {
      expect(await t.app.queues.schedule.getJob(`meeting-${id}-${suffix}`)).toBeUndefined();
    }
    const late = await t.sim.click(invite.card!.id, 'liuyang', 'rsvp.no');
    expect(late.body.accepted).toBe(false);
  });

  it('lets organizers change an answer after the cut-off, recorded as theirs; others are told why not', async () => {
    const id = await createMeeting('会议 新建 截止后 后天上午10点');
    const before = await cursor('dm-zhouting');
    await t.sim.ask(GROUP, 'wangfang', `会议 邀请 #${id} @周婷 @赵磊`);
    const inviteMessage = await t.sim.nextBotMessage('dm-zhouting', before, inviteFor(id));
    const invite = inviteMessage.card!;
    await t.app.services.db.meeting.update({ where: { id }, data: { rsvpCutoffAt: new Date(Date.now() - 60_000) } });

    const late = await t.sim.ask('dm-zhouting', 'zhouting', `会议 回复 #${id} 参加`);
    expect(late.text).toContain('已过回复截止时间');
    expect(late.text).toContain('请联系组织者：王芳');
    const notOrganizer = await t.sim.ask(GROUP, 'zhouting', `会议 回复 #${id} @赵磊 不参加`);
    expect(notOrganizer.text).toContain(`只有会议 #${id} 的组织者可以替他人记录回复（组织者：王芳）`);
    expect((await t.app.services.rsvp.attendeeFor(id, 'simulator:zhaolei'))?.response).toBe('pending');

    const recorded = await t.sim.ask(GROUP, 'wangfang', `会议 回复 #${id} @周婷 参加 素食 住宿1晚`);
    expect(recorded.text).toContain(`已为周婷记录会议 #${id} 的回复：参加 · 餐食：素食 · 住宿 1 晚`);
    expect(await t.app.services.rsvp.attendeeFor(id, 'simulator:zhouting')).toMatchObject({ response: 'yes', dietary: 'vegetarian', answeredBy: 'simulator:wangfang' });
    const card = await t.sim.waitForCard('dm-zhouting', invite.id, (c) => c.state?.status === 'answered-yes');
    expect(card.state?.label).toContain('由王芳代为记录');
    const notice = await t.sim.nextBotMessage('dm-zhouting', inviteMessage.id, (m) => m.text?.includes('记录为') ?? false);
    expect(notice.text).toContain(`王芳已将你对会议 #${id}「截止后」的回复记录为：参加 · 餐食：素食 · 住宿 1 晚`);

    const roster = await t.sim.ask(GROUP, 'wangfang', `会议 名单 #${id}`);
    expect(roster.text).toContain('周婷（信息技术部） · 参加 · 餐食：素食 · 住宿 1 晚 · 由王芳代为记录');
    expect(roster.text).toContain('赵磊（行政部） · 未回复');
  });

  it('counts a guest without an account, checked in by an organizer, with the meal recorded for them', async () => {
    const id = await createMeeting('会议 新建 贵宾签到 10分钟后 地点 一号厅');
    await t.app.services.db.attendee.create({ data: { meetingId: id, userId: null, name: '外宾 Lee', invitedBy: 'simulator:wangfang' } });
    expect((await t.sim.ask(GROUP, 'wangfang', `会议 回复 #${id} 外宾 Lee 参加 清真`)).text).toContain('已为外宾 Lee记录');
    expect((await t.sim.ask(GROUP, 'wangfang', `签到 #${id} 外宾 Lee`)).text).toContain('外宾 Lee已签到');
    const status = await t.sim.waitForCard(GROUP, `mstat-${id}`, (c) => field(c, '签到').startsWith('1/1'));
    expect(field(status, '餐食（参加者）')).toBe('无 0 / 素食 0 / 清真 1 / 过敏或其他 0');
  });

  it('bounds the names of one check-in command and answers each distinct name once', async () => {
    const id = await createMeeting('会议 新建 批量签到 10分钟后');
    await t.sim.ask(GROUP, 'wangfang', `会议 邀请 #${id} @孙丽 @吴军`);
    const flood = await t.sim.ask(GROUP, 'wangfang', `签到 #${id} ${'1 '.repeat(1990)}`);
    expect(flood.text).toContain('一次最多为 50 人签到（这次写了 1990 个）');
    expect(flood.text!.length).toBeLessThan(400);
    expect(await t.app.services.db.attendee.count({ where: { meetingId: id, checkedInAt: { not: null } } })).toBe(0);

    const reply = await t.sim.ask(GROUP, 'wangfang', `签到 #${id} 孙丽，孙丽、无名氏 无名氏 @吴军`);
    const lines = reply.text!.split('\n');
    expect(lines.filter((l) => l.includes('孙丽已签到'))).toHaveLength(1);
    expect(lines.filter((l) => l.includes('吴军已签到'))).toHaveLength(1);
    expect(lines.filter((l) => l.includes('名单中没有「无名氏」'))).toHaveLength(1);
    expect(lines).toHaveLength(3);
  });

  it('answers by text with the card\'s fallback command', async () => {
    const id = await createMeeting('会议 新建 文字回复 后天上午9点');
    await t.sim.ask(GROUP, 'wangfang', `会议 邀请 #${id} @陈静`);
    const reply = await t.sim.ask('dm-chenjing', 'chenjing', `会议 回复 #${id} 参加 过敏 花生 住宿2晚 备注 需要停车位`);
    expect(reply.text).toContain('参加 · 餐食：过敏或其他（花生） · 住宿 2 晚 · 备注：需要停车位');
    const bad = await t.sim.ask('dm-chenjing', 'chenjing', `会议 回复 #${id} 也许吧`);
    expect(bad.text).toContain('用法');
  });

  it("speaks each reader's language: English words work, cards follow the invitee's and the group's language", async () => {
    const EN_GROUP = 'en-group';
    await t.app.services.directory.upsertConversation({
      platform: 'simulator',
      externalId: EN_GROUP,
      name: 'Launch team',
      type: 'group',
      memberIds: ['simulator:wangfang', 'simulator:zhouting', 'simulator:wujun'],
    });
    expect((await t.sim.ask(EN_GROUP, 'wangfang', 'language group English')).text).toContain('English');
    expect((await t.sim.ask('dm-zhouting', 'zhouting', 'language English')).text).toContain('English');

    const groupBefore = await cursor(EN_GROUP);
    const created = await t.sim.ask(EN_GROUP, 'wangfang', 'meeting new Launch review tomorrow 3pm~5pm venue Hall 1');
    expect(created.text).toMatch(/Meeting #\d+ "Launch review" created/);
    expect(created.text).toContain('Venue: Hall 1');
    const id = idOf(created);
    const status = await t.sim.nextBotMessage(EN_GROUP, groupBefore, (m) => m.card?.id === `mstat-${id}`);
    expect(status.card!.title).toContain('live counts');
    expect(field(status.card!, 'Invited')).toBe('0 people');

    const dms = { zhouting: await cursor('dm-zhouting'), wujun: await cursor('dm-wujun') };
    const invited = await t.sim.ask(EN_GROUP, 'wangfang', `meeting invite #${id} @周婷 @吴军`);
    expect(invited.text).toContain('2 invited');
    const english = (await t.sim.nextBotMessage('dm-zhouting', dms.zhouting, (m) => m.card?.id.startsWith(`inv-m${id}-`) ?? false)).card!;
    expect(english.title).toBe(`📋 Meeting invitation #${id} Launch review`);
    expect(english.actions?.map((a) => a.label)).toEqual(['Attend', 'Not attending', 'Maybe']);
    expect(field(english, 'Venue')).toBe('Hall 1');
    const chinese = (await t.sim.nextBotMessage('dm-wujun', dms.wujun, inviteFor(id))).card!;
    expect(chinese.actions?.map((a) => a.label)).toEqual(['参加', '不参加', '待定']);

    const answer = await t.sim.ask('dm-zhouting', 'zhouting', `meeting answer #${id} yes vegetarian rooms 2 nights note arriving late`);
    expect(answer.text).toContain(`Your answer to meeting #${id} is recorded: Attend · meal: Vegetarian · room for 2 nights · note: arriving late`);
    const card = await t.sim.waitForCard('dm-zhouting', english.id, (c) => c.state?.status === 'answered-yes');
    expect(card.state?.label).toContain('Answered: Attend');
    await t.sim.waitForCard(EN_GROUP, `mstat-${id}`, (c) => field(c, 'Answers').startsWith('attending 1 ·') && field(c, 'Rooms') === 'night 1: 1 / night 2: 1');

    expect((await t.sim.ask('dm-zhouting', 'zhouting', `meeting answer #${id} yes rooms two`)).text).toContain('"two" is not understood');
    expect((await t.sim.ask(EN_GROUP, 'wangfang', `meeting frobnicate #${id}`)).text).toContain('Unknown sub-command "frobnicate"');
    expect((await t.sim.ask(EN_GROUP, 'zhouting', `meeting move #${id} Hall 2`)).text).toContain(`Only the organizers of meeting #${id} can change its venue`);
    expect((await t.sim.ask('dm-zhouting', 'zhouting', `checkin #${id}`)).text).toContain(`Check-in for meeting #${id} opens at`);
    expect((await t.sim.ask(EN_GROUP, 'wangfang', 'meeting view')).text).toContain(`The meeting number is missing, for example: meeting view #1`);
  });
});
