/**
 * One conversation suite, run unchanged on every platform (the simulator, the WeCom fakes and the
 * DingTalk fakes). Each platform's test file only builds its driver.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatDriver } from './driver.js';

export function conversationSuite(name: string, makeDriver: () => Promise<ChatDriver>): void {
  describe(`conversation suite on ${name}`, () => {
    let d: ChatDriver;
    beforeAll(async () => {
      d = await makeDriver();
    }, 120_000);
    afterAll(async () => {
      await d?.close();
    });

    async function ask(conversation: string, user: string, text: string) {
      const after = await d.cursor(conversation);
      await d.say(conversation, user, text);
      // The first text reply: a command may also post cards (skipped here).
      return d.nextBotMessage(conversation, after, (m) => m.text !== undefined);
    }

    /** The reply containing `marker`: in a group the live-count card (markdown text on WeCom's bot) may come first. */
    async function said(conversation: string, user: string, text: string, marker: string) {
      const after = await d.cursor(conversation);
      await d.say(conversation, user, text);
      return d.nextBotMessage(conversation, after, (m) => m.text?.includes(marker) ?? false);
    }

    it('answers 帮助 in the group with every command', async () => {
      const reply = await ask(d.group, d.cast.organizer, '@会务助手 帮助');
      expect(reply.text).toContain('提醒');
    });

    it('answers a malformed command with what was wrong and the usage', async () => {
      const reply = await ask(d.dm(d.cast.organizer), d.cast.organizer, '提醒 找个时间 喝茶');
      expect(reply.text).toContain('❌');
      expect(reply.text).toContain('用法');
    });

    it('sets a reminder in the group, delivers its card to the DM, and records 知道了', async () => {
      const dm = d.dm(d.cast.organizer);
      const dmBefore = await d.cursor(dm);
      const reply = await ask(d.group, d.cast.organizer, '提醒 2秒后 套件测试');
      expect(reply.text).toContain('已设置提醒');
      expect(reply.text).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);

      const card = await d.nextBotMessage(dm, dmBefore, (m) => m.card?.text.includes('套件测试') ?? false, 15_000);
      expect(card.card!.actions).toContain('reminder.ack');
      await d.click(dm, card.card!, d.cast.organizer, 'reminder.ack');
      const updated = await d.waitForCard(dm, card.card!.id, (c) => c.text.includes('已知晓'));
      expect(updated.actions).toHaveLength(0);
    });

    it('reminds a colleague by @mention in their own DM', async () => {
      const dm = d.dm(d.cast.colleague);
      const before = await d.cursor(dm);
      const reply = await ask(d.group, d.cast.organizer, `提醒 @${d.cast.colleague} 1秒后 准备签到表`);
      expect(reply.text).toContain('已设置提醒');
      const card = await d.nextBotMessage(dm, before, (m) => m.card?.text.includes('准备签到表') ?? false, 15_000);
      expect(card.card!.title).toContain('提醒');
    });

    it('answers a malformed sub-command with its one usage line and where the rest is', async () => {
      const reply = await ask(d.group, d.cast.organizer, '会议 新建');
      expect(reply.text).toContain('❌');
      const usage = (reply.text ?? '').split('\n').filter((l) => l.startsWith('  '));
      expect(usage).toEqual(['  会议 新建 <标题> <开始时间>[~<结束时间>] [地点 <地点>]']);
      expect(reply.text).toContain('帮助 会议');
    });

    it('reads a meeting typed with a Chinese IME: full-width separators and 地点：', async () => {
      const after = await d.cursor(d.group);
      await d.say(d.group, d.cast.organizer, '会议 新建 输入法会，后天下午3点～5点，地点：一号厅');
      const created = await d.nextBotMessage(d.group, after, (m) => m.text?.includes('已新建会议') ?? false);
      expect(created.text).toContain('「输入法会」');
      expect(created.text).toContain('地点：一号厅');
    });

    it('takes task options in any order after the text, the documented order included', async () => {
      const after = await d.cursor(d.group);
      await d.say(d.group, d.cast.organizer, '会议 新建 任务会 后天上午10点 地点 三号厅');
      const created = await d.nextBotMessage(d.group, after, (m) => m.text?.includes('已新建会议') ?? false);
      const id = Number(/#(\d+)/.exec(created.text!)![1]);
      const reply = await said(d.group, d.cast.organizer, `任务 @${d.cast.colleague} 打印座签 截止 2小时后 高 会议 #${id}`, '已创建任务');
      expect(reply.text).toContain('已创建任务');
      expect(reply.text).toContain(`#${id}`);
      expect(reply.text).toContain('优先级 高');
    });

    it('lists for whom each reminder is', async () => {
      await ask(d.group, d.cast.organizer, `提醒 @${d.cast.colleague} 明天上午10点 交预算`);
      await ask(d.group, d.cast.organizer, '提醒 明天上午10点 交预算');
      const list = await ask(d.dm(d.cast.organizer), d.cast.organizer, '提醒 列表');
      const lines = (list.text ?? '').split('\n').filter((l) => l.includes('交预算'));
      // The colleague's line names them (their display name on each platform), the other says 你.
      expect(lines.filter((l) => l.includes('→ 你')), list.text).toHaveLength(1);
      expect(lines.filter((l) => /→ (?!你)\S+ 交预算/.test(l)), list.text).toHaveLength(1);
    });

    it("invites to a meeting in the invitee's language, records a click, and a venue change updates the card and tells them", async () => {
      const dm = d.dm(d.cast.colleague);
      expect((await ask(dm, d.cast.colleague, 'language English')).text).toContain('English');
      try {
        // The group also gets the status card, which WeCom's bot shows as markdown text: wait for the reply itself.
        const after = await d.cursor(d.group);
        await d.say(d.group, d.cast.organizer, '会议 新建 套件会议 后天下午3点 地点 一号厅');
        const created = await d.nextBotMessage(d.group, after, (m) => m.text?.includes('已新建会议') ?? false);
        const id = Number(/#(\d+)/.exec(created.text!)![1]);
        const before = await d.cursor(dm);
        expect((await said(d.group, d.cast.organizer, `会议 邀请 #${id} @${d.cast.colleague}`, '已邀请')).text).toContain('已邀请 1 人');
        const invite = await d.nextBotMessage(dm, before, (m) => m.card?.title.includes(`Meeting invitation #${id}`) ?? false, 15_000);
        // WeCom's form card has one submit button (参加); the others are the fallback command there.
        expect(invite.card!.actions).toContain('rsvp.yes');
        await d.click(dm, invite.card!, d.cast.colleague, 'rsvp.yes');
        await d.waitForCard(dm, invite.card!.id, (c) => c.text.includes('Answered: Attend'));

        expect((await said(d.group, d.cast.organizer, `会议 改地点 #${id} 二号厅`, '地点已改为')).text).toContain('地点已改为 二号厅');
        await d.waitForCard(dm, invite.card!.id, (c) => c.text.includes('二号厅') && !c.text.includes('一号厅'));
        const notice = await d.nextBotMessage(dm, invite.seq, (m) => m.text?.includes('new venue') ?? false);
        expect(notice.text).toContain('二号厅 (was 一号厅)');
      } finally {
        await ask(dm, d.cast.colleague, 'language default');
      }
    });
  });
}
