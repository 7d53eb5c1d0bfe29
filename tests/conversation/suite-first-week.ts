/**
 * What a 会务 team hit in its first week (issue 11), run unchanged on every platform: group talk
 * left alone, a moved meeting updating every card and telling whoever has not declined, answers
 * recorded by organizers, overdue tasks reaching the department head, an unhappy complainant
 * reopening a complaint, and an implicit meeting named (or asked for).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatDriver, SeenMessage } from './driver.js';

/** An overdue task escalates a second after its due time (default 30 min) so the suite can watch it. */
export const FIRST_WEEK_ENV = { HUIWU_TASK_ESCALATE_AFTER: '1s' };

export function firstWeekSuite(name: string, makeDriver: () => Promise<ChatDriver>): void {
  describe(`first-week conversation suite on ${name}`, () => {
    let d: ChatDriver;
    beforeAll(async () => {
      d = await makeDriver();
      // Everyone writes once so the app knows them; the organizer gets the role an admin would give.
      for (const user of Object.values(d.cast)) await ask(d.dm(user), user, '帮助');
      await d.grantRoles(d.cast.organizer, ['organizer']);
    }, 120_000);
    afterAll(async () => {
      await d?.close();
    });

    async function ask(conversation: string, user: string, text: string) {
      const after = await d.cursor(conversation);
      await d.say(conversation, user, text);
      return d.nextBotMessage(conversation, after, (m) => m.text !== undefined);
    }
    /** The reply containing `marker` (a group's live-count card, markdown text on WeCom's bot, may come first). */
    async function said(conversation: string, user: string, text: string, marker: string) {
      const after = await d.cursor(conversation);
      await d.say(conversation, user, text);
      return d.nextBotMessage(conversation, after, (m) => m.text?.includes(marker) ?? false);
    }
    const idIn = (m: SeenMessage) => Number(/#(\d+)/.exec(m.text ?? '')?.[1]);
    async function newMeeting(command: string) {
      const id = idIn(await said(d.group, d.cast.organizer, command, '已新建会议'));
      expect(id).toBeGreaterThan(0);
      return id;
    }

    it('leaves group talk that does not address the bot alone (item 2)', async () => {
      const after = await d.cursor(d.group);
      await d.chat(d.group, d.cast.outsider, '会议室在哪里？');
      await d.chat(d.group, d.cast.outsider, '提醒大家明天带电脑');
      await d.say(d.group, d.cast.outsider, '帮助 提醒');
      // The first thing the bot says is the answer to the addressed line: no usage dump, no reminder.
      const first = await d.nextBotMessage(d.group, after, (m) => m.text !== undefined);
      expect(first.text).toContain('提醒 列表');
      expect(first.text).not.toContain('不认识');
      expect(first.text).not.toContain('已设置提醒');
      const list = await ask(d.dm(d.cast.outsider), d.cast.outsider, '提醒 列表');
      expect(list.text).not.toContain('带电脑');
    });

    it('moves a meeting: every invitation card and the live-count card show the change; who has not declined is told once (item 1)', async () => {
      const groupBefore = await d.cursor(d.group);
      const id = await newMeeting('会议 新建 改期会 后天下午3点～5点 地点 一号厅');
      const dms = { colleague: d.dm(d.cast.colleague), outsider: d.dm(d.cast.outsider) };
      const at = { colleague: await d.cursor(dms.colleague), outsider: await d.cursor(dms.outsider) };
      await said(d.group, d.cast.organizer, `会议 邀请 #${id} @${d.cast.colleague} @${d.cast.outsider}`, '已邀请');
      const invitation = (m: SeenMessage) => m.card?.title.includes(`会议邀请 #${id}`) ?? false;
      const cards = {
        colleague: (await d.nextBotMessage(dms.colleague, at.colleague, invitation, 15_000)).card!,
        outsider: (await d.nextBotMessage(dms.outsider, at.outsider, invitation, 15_000)).card!,
      };
      // The colleague declines (by text: WeCom's form card has only the attend button); the outsider does not answer.
      expect((await ask(dms.colleague, d.cast.colleague, `会议 回复 #${id} 不参加`)).text).toContain('不参加');
      const status = await d.nextBotMessage(d.group, groupBefore, (m) => m.card?.title.includes(`会议 #${id}`) ?? false, 2_000).catch(() => undefined);
      // WeCom's bot shows the live-count card as markdown text, which cannot change; the others must show it as a card.
      if (d.platform !== 'wecom') expect(status?.card).toBeDefined();

      const since = { colleague: await d.cursor(dms.colleague), outsider: await d.cursor(dms.outsider) };
      expect((await said(d.group, d.cast.organizer, `会议 改时间 #${id} 后天下午4点～6点`, '时间已改为')).text).toContain('已通知 1 位受邀人');
      const moved = await d.nextBotMessage(dms.outsider, since.outsider, (m) => m.text?.includes('时间变更为') ?? false);
      expect(moved.text).toMatch(/16:00~18:00（原 \S+ 15:00~17:00）/);
      expect((await said(d.group, d.cast.organizer, `会议 改地点 #${id} 二号厅`, '地点已改为')).text).toContain('地点已改为 二号厅');
      const venue = await d.nextBotMessage(dms.outsider, since.outsider, (m) => m.text?.includes('地点变更为') ?? false);
      expect(venue.text).toContain('二号厅（原 一号厅）');

      const current = (c: { text: string }) => c.text.includes('16:00~18:00') && c.text.includes('二号厅') && !c.text.includes('一号厅');
      await d.waitForCard(dms.outsider, cards.outsider.id, current);
      await d.waitForCard(dms.colleague, cards.colleague.id, current);
      if (status?.card) await d.waitForCard(d.group, status.card.id, current);
      // The decliner got the updated card and nothing else; the outsider one message per change.
      expect(await noticesUntilNextReply(dms.colleague, d.cast.colleague, since.colleague)).toHaveLength(0);
      expect(await noticesUntilNextReply(dms.outsider, d.cast.outsider, since.outsider)).toHaveLength(2);
    });
    /** Change notices in a DM after `after`, up to the reply to a command sent now (so nothing still on its way is missed). */
    async function noticesUntilNextReply(dm: string, user: string, after: number) {
      const marker = await ask(dm, user, '提醒 列表');
      const found: SeenMessage[] = [];
      for (let m = await d.nextBotMessage(dm, after); m.seq < marker.seq; m = await d.nextBotMessage(dm, m.seq)) {
        if (m.text?.includes('变更为')) found.push(m);
      }
      return found;
    }

    it('lets the organizer record an invitee’s answer, and tells the invitee (item 9)', async () => {
      const id = await newMeeting('会议 新建 代答会 后天上午10点 地点 三号厅');
      const dm = d.dm(d.cast.outsider);
      const before = await d.cursor(dm);
      await said(d.group, d.cast.organizer, `会议 邀请 #${id} @${d.cast.outsider}`, '已邀请');
      // The refusal's own words: the live-count card in the same group names the 组织者 too.
      const refused = await said(d.group, d.cast.colleague, `会议 回复 #${id} @${d.cast.outsider} 参加`, '替他人记录回复');
      expect(refused.text).toContain(`只有会议 #${id} 的组织者可以替他人记录回复`);
      const recorded = await said(d.group, d.cast.organizer, `会议 回复 #${id} @${d.cast.outsider} 参加 素食`, '记录');
      expect(recorded.text).toMatch(new RegExp(`已为\\S+记录会议 #${id} 的回复：参加 · 餐食：素食`));
      const notice = await d.nextBotMessage(dm, before, (m) => m.text?.includes('记录为') ?? false);
      expect(notice.text).toContain(`对会议 #${id}「代答会」的回复记录为：参加 · 餐食：素食`);
    });

    it('escalates an overdue task to the assignee’s department head and the creator (item 5)', async () => {
      expect((await said(d.group, d.cast.organizer, `部门 新建 筹备组 @${d.cast.colleague}`, '筹备组')).text).toContain('已新建部门');
      expect((await said(d.group, d.cast.organizer, `部门 成员 筹备组 @${d.cast.outsider}`, '加入筹备组')).text).toContain('已将');
      const heads = { head: await d.cursor(d.dm(d.cast.colleague)), creator: await d.cursor(d.dm(d.cast.organizer)) };
      const id = idIn(await said(d.group, d.cast.organizer, `任务 @${d.cast.outsider} 核对名单 截止 3秒后`, '已创建任务'));
      const overdue = (m: SeenMessage) => m.text?.includes(`任务 #${id}「核对名单」已逾期`) ?? false;
      expect((await d.nextBotMessage(d.dm(d.cast.colleague), heads.head, overdue, 15_000)).text).toContain('负责人');
      await d.nextBotMessage(d.dm(d.cast.organizer), heads.creator, overdue, 10_000);
    });

    it('reopens a resolved complaint whose complainant answers 不满意 and pages the backup (item 7)', async () => {
      expect((await said(d.group, d.cast.organizer, `事件 备岗 客诉 @${d.cast.colleague}`, '备岗响应人')).text).toContain('客诉');
      const id = idIn(await said(d.group, d.cast.organizer, `上报 客诉 一级 大堂 @${d.cast.outsider} 空调太冷`, '已上报'));
      expect(id).toBeGreaterThan(0);
      const dm = d.dm(d.cast.outsider);
      const before = { outsider: await d.cursor(dm), organizer: await d.cursor(d.dm(d.cast.organizer)) };
      expect((await said(d.group, d.cast.organizer, `事件 解决 #${id} 已调高温度`, '已解决')).text).toContain(`#${id}`);
      const check = (await d.nextBotMessage(dm, before.outsider, (m) => m.card?.id === `inc-${id}-csat`, 15_000)).card!;
      await d.click(dm, check, d.cast.outsider, 'incident.csat.bad');
      const owner = await d.nextBotMessage(d.dm(d.cast.organizer), before.organizer, (m) => m.text?.includes(`投诉人对客诉 #${id} 的处理结果不满意`) ?? false, 15_000);
      expect(owner.text).toContain('已重新打开并升级至备岗响应人');
    });

    it('names the meeting a task joins implicitly, and asks when several run (item 3)', async () => {
      const first = await newMeeting('会议 新建 现场会 1小时后 地点 四号厅');
      const task = await said(d.group, d.cast.organizer, `任务 @${d.cast.colleague} 准备茶歇 截止 30分钟后`, '已创建任务');
      expect(task.text).toContain(`已关联会议 #${first}「现场会」`);
      const second = await newMeeting('会议 新建 第二场 2小时后 地点 五号厅');
      const refused = await said(d.group, d.cast.organizer, `任务 @${d.cast.colleague} 买水 截止 30分钟后 高`, '多个会议');
      expect(refused.text).toContain(`#${first} 现场会 / #${second} 第二场`);
      const chosen = await said(d.group, d.cast.organizer, `任务 @${d.cast.colleague} 买水 截止 30分钟后 高 会议 #${second}`, '已创建任务');
      expect(chosen.text).toContain(`会议：#${second} 第二场`);
    });
  });
}
