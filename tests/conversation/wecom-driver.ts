/**
 * The WeCom driver for the shared conversation suite. Group chat goes through the intelligent bot
 * (WeCom gives a self-built app no group messages), direct messages through the app callback; what
 * the bot sent is read back from the fakes' wire records (message/send, aibot replies and pushes).
 */
import { cardIdOf } from '../../src/platforms/wecom/decode.js';
import { WecomCallbackDriver } from '../fakes/wecom/callback-driver.js';
import { eventually, startWecomWorld } from '../fakes/wecom/world.js';
import { type ChatDriver, grantRolesTo, type SeenMessage } from './driver.js';

/**
 * `app+bot`: DMs through the app callback, group through the bot. `bot`: the long connection only
 * (no public callback URL); the bot then knows only people who have opened a chat with it, so the
 * cast does that first, as real colleagues would.
 */
export async function wecomDriver(mode: 'app+bot' | 'bot' = 'app+bot', env: Record<string, string> = {}): Promise<ChatDriver> {
  const w = await startWecomWorld({ app: mode === 'app+bot', env });
  const cast = { organizer: 'wangfang', colleague: 'zhaolei', outsider: 'zhouting' };
  if (mode === 'bot') {
    for (const user of Object.values(cast)) w.bot.pushEnterChat(user);
    await eventually(async () => (await w.t.app.services.db.user.count()) >= 3, 5000, 'the cast to be known');
  }
  const group = 'group:wrprepgroup01';
  const chatid = group.slice('group:'.length);
  const cursor = async (conversation: string) => w.seen(conversation).at(-1)?.seq ?? 0;
  const next = (conversation: string, after: number, match: (m: SeenMessage) => boolean = () => true, timeoutMs = 10_000) =>
    eventually(() => w.seen(conversation).find((m) => m.seq > after && match(m)), timeoutMs, `a bot message in ${conversation}`);
  return {
    platform: 'wecom',
    // Userids; the fake contacts API knows their names (王芳, 赵磊, 周婷). `@zhaolei` is a mention by userid.
    cast,
    group,
    dm: (user) => `dm:${user}`,
    cursor,
    say: async (conversation, user, text) => {
      if (conversation.startsWith('group:') || mode === 'bot') {
        w.bot.pushText({ userid: user, content: text, ...(conversation.startsWith('group:') ? { chatid } : {}) });
        return;
      }
      const res = await w.callback.post(w.callback.textXml(user, text, WecomCallbackDriver.msgId()));
      if (res.status !== 200) throw new Error(`callback refused: ${res.status} ${res.body}`);
    },
    // WeCom hands the intelligent bot only group messages that @ it (and the app none at all): chat stays between people.
    chat: async (conversation, user, text) => {
      if (!conversation.startsWith('group:')) throw new Error('chat is for groups; use say in a DM');
      void user;
      void text;
    },
    grantRoles: (user, roles) => grantRolesTo(w.t.app.services.directory, `wecom:${user}`, roles),
    nextBotMessage: next,
    click: async (conversation, card, user, action) => {
      // A card sent by the app's message/send is clicked through the callback; one sent by the bot, over the WS.
      const appTask = w.api.messages.filter((m) => m.to === user && m.taskId && cardIdOf(m.taskId) === card.id).at(-1)?.taskId;
      if (appTask) {
        const xml = w.callback.cardEventXml({ from: user, taskId: appTask, eventKey: action, responseCode: w.api.clickCode(appTask, user) });
        const res = await w.callback.post(xml);
        if (res.status !== 200) throw new Error(`click refused: ${res.status}`);
        return;
      }
      const botTask = [...w.bot.cards.keys()].findLast((task) => cardIdOf(task) === card.id);
      if (!botTask) throw new Error(`card ${card.id} was not delivered through WeCom`);
      w.bot.pushCardEvent({ userid: user, taskId: botTask, eventKey: action, ...(conversation.startsWith('group:') ? { chatid } : {}) });
    },
    waitForCard: (conversation, cardId, check, timeoutMs = 10_000) =>
      eventually(() => {
        const card = w.cardIn(conversation, cardId);
        return card && check(card) ? card : undefined;
      }, timeoutMs, `card ${cardId} to change`),
    close: () => w.close(),
  };
}

