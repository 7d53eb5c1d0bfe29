/**
 * The conversation suite once more in English, on every platform: people who chose English with
 * `language English` (or who type English keywords) see English everywhere, cards included.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatDriver } from './driver.js';

/** Four or more Chinese characters in a row: untranslated text (names such as 赵磊 are shorter). */
const CHINESE_RUN = /[\u4e00-\u9fff]{4,}/;

/** No Chinese at all once the cast's names (the only Chinese a reader may see here) are taken out. */
const englishOnly = (text: string | undefined, names: readonly string[]): string =>
  names.reduce((rest, name) => rest.split(name).join(''), text ?? '').replace(/会务助手/g, '');
const CJK = /[\u3400-\u9fff]/;

export function englishConversationSuite(name: string, makeDriver: () => Promise<ChatDriver>): void {
  describe(`conversation suite in English on ${name}`, () => {
    let d: ChatDriver;
    beforeAll(async () => {
      d = await makeDriver();
      for (const user of [d.cast.organizer, d.cast.colleague]) {
        const reply = await ask(d.dm(user), user, 'language English');
        expect(reply.text).toContain('English');
      }
    }, 120_000);
    afterAll(async () => {
      await d?.close();
    });

    async function ask(conversation: string, user: string, text: string) {
      const after = await d.cursor(conversation);
      await d.say(conversation, user, text);
      return d.nextBotMessage(conversation, after, (m) => m.text !== undefined);
    }

    it('answers help in English', async () => {
      const reply = await ask(d.group, d.cast.organizer, '@会务助手 help');
      expect(reply.text).toContain('remind');
      // Each command's Chinese aliases (`my info / 我的信息`) are listed after the English ones; the rest is English.
      const withoutAliases = (reply.text ?? '').split('\n').map((line) => line.replace(/^• [^:]*:/, '•')).join('\n');
      expect(withoutAliases).not.toMatch(CHINESE_RUN);
    });

    it('answers a malformed command with what was wrong and the usage, in English', async () => {
      const reply = await ask(d.dm(d.cast.organizer), d.cast.organizer, 'remind find a time for tea');
      expect(reply.text).toContain('❌');
      expect(reply.text).toContain('Usage');
      expect(reply.text).not.toMatch(CHINESE_RUN);
    });

    it('sets a reminder with English words, delivers an English card, and records Got it', async () => {
      const dm = d.dm(d.cast.organizer);
      const dmBefore = await d.cursor(dm);
      const reply = await ask(d.group, d.cast.organizer, 'remind in 2 seconds suite test');
      expect(reply.text).toContain('Reminder set');
      expect(reply.text).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);

      const card = await d.nextBotMessage(dm, dmBefore, (m) => m.card?.text.includes('suite test') ?? false, 15_000);
      expect(card.card!.title).toContain('Reminder');
      expect(card.card!.text).not.toMatch(CHINESE_RUN);
      await d.click(dm, card.card!, d.cast.organizer, 'reminder.ack');
      const updated = await d.waitForCard(dm, card.card!.id, (c) => c.text.includes('acknowledged'));
      expect(updated.actions).toHaveLength(0);
    });

    it('invites in English: the invitation card and its answer are English for an English invitee', async () => {
      // The group also gets the status card (markdown text on WeCom's bot): wait for the reply itself.
      const after = await d.cursor(d.group);
      await d.say(d.group, d.cast.organizer, '@会务助手 meeting new Suite party tomorrow 3pm~5pm venue Hall A');
      const created = await d.nextBotMessage(d.group, after, (m) => m.text?.includes('"Suite party" created') ?? false);
      expect(created.text).not.toMatch(CHINESE_RUN);
      const id = Number(/#(\d+)/.exec(created.text ?? '')?.[1]);
      expect(id).toBeGreaterThan(0);
      const dm = d.dm(d.cast.colleague);
      const before = await d.cursor(dm);
      const inviteAt = await d.cursor(d.group);
      await d.say(d.group, d.cast.organizer, `@会务助手 meeting invite #${id} @${d.cast.colleague}`);
      // The live-count card (markdown text on WeCom's bot) may come first: wait for the reply.
      const invited = await d.nextBotMessage(d.group, inviteAt, (m) => m.text?.includes('invited') ?? false);
      expect(invited.text).not.toMatch(CHINESE_RUN);
      const card = await d.nextBotMessage(dm, before, (m) => m.card?.text.includes('Suite party') ?? false, 15_000);
      expect(card.card!.text).not.toMatch(CHINESE_RUN);
      // WeCom's form card has one submit button (attend); the other answers are text commands there.
      expect(card.card!.actions).toContain('rsvp.yes');
      await d.click(dm, card.card!, d.cast.colleague, 'rsvp.yes');
      const answered = await d.waitForCard(dm, card.card!.id, (c) => c.text.includes('Answered: Attend'));
      expect(answered.text).not.toMatch(CHINESE_RUN);
    });

    it('assigns a task with English words for every option', async () => {
      // The live-count card of the previous test's answer (markdown text on WeCom's bot) may come first: wait for the reply.
      const after = await d.cursor(d.group);
      await d.say(d.group, d.cast.organizer, `@会务助手 task @${d.cast.colleague} print badges due tomorrow 5pm high`);
      const reply = await d.nextBotMessage(d.group, after, (m) => m.text?.includes('Task #') ?? false);
      expect(reply.text).toContain('created');
      expect(reply.text).toContain('print badges');
      expect(reply.text).not.toMatch(CHINESE_RUN);
    });

    it('uses the reader’s language: a Chinese command for an English colleague gives them an English card', async () => {
      const dm = d.dm(d.cast.colleague);
      const before = await d.cursor(dm);
      await ask(d.group, d.cast.outsider, `提醒 @${d.cast.colleague} 1秒后 准备签到表`);
      const card = await d.nextBotMessage(dm, before, (m) => m.card?.text.includes('准备签到表') ?? false, 15_000);
      expect(card.card!.title).toContain('Reminder');
    });

    it('walks through the issue: language English, help, remind in 10 minutes test, and an invitation answered, all English', async () => {
      // 周婷 has not chosen a language yet; every reply below must be English because she chose it.
      const who = d.cast.outsider;
      const names = Object.values(d.cast).concat(['王芳', '赵磊', '周婷']);
      const dm = d.dm(who);
      const chose = await ask(dm, who, 'language English');
      expect(englishOnly(chose.text, names)).not.toMatch(CJK);

      const help = await ask(dm, who, 'help');
      expect(help.text).toContain('remind');
      // Each command lists its Chinese keyword after the English ones (`help / 帮助:`); the rest is English.
      const helpBody = (help.text ?? '').split('\n').map((line) => line.replace(/^• [^:]*:/, '•')).join('\n');
      expect(helpBody).not.toMatch(CJK);

      const remind = await ask(dm, who, 'remind in 10 minutes test');
      expect(remind.text).toMatch(/^✅ Reminder set #\d+ for you\nTime: \d{4}-\d{2}-\d{2} \d{2}:\d{2}\nText: test$/);

      // The organizer creates and invites with Chinese commands; the invitee still reads English.
      const groupAt = await d.cursor(d.group);
      await d.say(d.group, d.cast.organizer, '@会务助手 会议 新建 Walkthrough 明天下午3点~5点 地点 Hall B');
      const created = await d.nextBotMessage(d.group, groupAt, (m) => /#(\d+)/.test(m.text ?? '') && (m.text ?? '').includes('Walkthrough'));
      const id = Number(/#(\d+)/.exec(created.text ?? '')![1]);
      const before = await d.cursor(dm);
      const inviteAt = await d.cursor(d.group);
      await d.say(d.group, d.cast.organizer, `@会务助手 会议 邀请 #${id} @${who}`);
      await d.nextBotMessage(d.group, inviteAt, (m) => m.text?.includes(`#${id}`) ?? false);
      const card = await d.nextBotMessage(dm, before, (m) => m.card?.text.includes('Walkthrough') ?? false, 15_000);
      expect(englishOnly(card.card!.text, names)).not.toMatch(CJK);
      await d.click(dm, card.card!, who, 'rsvp.yes');
      const answered = await d.waitForCard(dm, card.card!.id, (c) => c.text.includes('Answered: Attend'));
      expect(englishOnly(answered.text, names)).not.toMatch(CJK);
    });
  });
}
