/**
 * The real app wired to the WeCom fakes only (simulator off): fake server API, fake bot WS server,
 * callback driver. Reads what users would see in each conversation back from the fakes' wire records.
 */
import { randomBytes } from 'node:crypto';
import type { SeenCard, SeenMessage } from '../../conversation/driver.js';
import { startTestApp, type TestApp } from '../../support/harness.js';
import { cardIdOf } from '../../../src/platforms/wecom/decode.js';
import type { WecomTemplateCard } from '../../../src/platforms/wecom/raw-types.js';
import { FakeWecomApi } from './api-server.js';
import { FakeWecomBotServer } from './bot-server.js';
import { WecomCallbackDriver } from './callback-driver.js';
import { Sequence } from './sequence.js';

/** The official sample token and key (platforms.md A2), with a corp id of our own. */
export const KEYS = { token: 'QDG6eK', encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C', corpId: 'wwhuiwu0test' };
export const AGENT_ID = 1000002;
export const USERS: Record<string, string> = { wangfang: '王芳', zhaolei: '赵磊', zhouting: '周婷', lichen: '李晨' };

export interface WecomWorld {
  t: TestApp;
  api: FakeWecomApi;
  bot: FakeWecomBotServer;
  callback: WecomCallbackDriver;
  /** Messages the bot sent into `conversation` (`dm:<userid>` or `group:<chatid>`), in order. */
  seen(conversation: string): SeenMessage[];
  /** The current state of a card in a conversation (latest copy). */
  cardIn(conversation: string, cardId: string): SeenCard | undefined;
  close(): Promise<void>;
}

export async function startWecomWorld(opts: { app?: boolean; bot?: boolean; env?: Record<string, string> } = {}): Promise<WecomWorld> {
  const withApp = opts.app ?? true;
  const withBot = opts.bot ?? true;
  const seq = new Sequence();
  const api = new FakeWecomApi({ corpId: KEYS.corpId, secret: 'app-secret', agentId: AGENT_ID, users: USERS, seq });
  const bot = new FakeWecomBotServer({ botId: 'huiwubot', secret: 'bot-secret', seq });
  await Promise.all([api.start(), bot.start()]);
  const env: Record<string, string> = {
    HUIWU_SIMULATOR: 'off',
    // Outside demo mode the app requires these (src/secrets.ts).
    HUIWU_PII_KEY: randomBytes(32).toString('hex'),
    HUIWU_ADMIN_TOKEN: 'wecom-test-admin-token', WECOM_THROTTLE_PAUSE_MS: '300', WECOM_BOT_RECONNECT_MS: '50', WECOM_API_BASE: api.baseUrl };
  if (withApp) {
    Object.assign(env, { WECOM_CORP_ID: KEYS.corpId, WECOM_AGENT_ID: String(AGENT_ID), WECOM_SECRET: 'app-secret', WECOM_TOKEN: KEYS.token, WECOM_ENCODING_AES_KEY: KEYS.encodingAesKey });
  }
  if (withBot) Object.assign(env, { WECOM_BOT_ID: 'huiwubot', WECOM_BOT_SECRET: 'bot-secret', WECOM_BOT_WS_URL: bot.url });
  const t = await startTestApp({ ...env, ...opts.env });
  if (withBot) await bot.waitForSubscriptions(1);
  const callback = new WecomCallbackDriver(`${t.baseUrl}/wecom/callback`, KEYS);

  const apiCard = (taskId: string, user: string): SeenCard | undefined => {
    const view = api.cardFor(user, taskId);
    return view ? seenCard(view.card, view.replacedWith) : undefined;
  };
  const seen = (conversation: string): SeenMessage[] => {
    const user = conversation.startsWith('dm:') ? conversation.slice(3) : null;
    const fromApi: SeenMessage[] = user
      ? api.messages
          .filter((m) => m.to === user)
          .map((m) => {
            const card = m.taskId ? apiCard(m.taskId, user) : undefined;
            return { seq: m.seq, ...(card ? { card } : { text: m.text ?? '' }) };
          })
      : [];
    const fromBot: SeenMessage[] = bot.messages
      .filter((m) => m.conversation === conversation)
      .map((m) => {
        const current = m.card ? (bot.cards.get(m.card.task_id) ?? m.card) : undefined;
        return { seq: m.seq, ...(current ? { card: seenCard(current) } : { text: m.text ?? '' }) };
      });
    return [...fromApi, ...fromBot].sort((a, b) => a.seq - b.seq);
  };
  return {
    t,
    api,
    bot,
    callback,
    seen,
    cardIn: (conversation, cardId) => seen(conversation).findLast((m) => m.card?.id === cardId)?.card,
    close: async () => {
      await t.close();
      await Promise.all([api.close(), bot.close()]);
    },
  };
}

/** What a person sees on a WeCom template card, in the shared suite's terms. */
export function seenCard(card: WecomTemplateCard, replacedWith?: string): SeenCard {
  const parts = [
    card.main_title.title,
    card.main_title.desc ?? '',
    card.sub_title_text ?? '',
    ...(card.horizontal_content_list ?? []).map((f) => `${f.keyname} ${f.value}`),
    replacedWith ?? '',
  ];
  const actions = replacedWith ? [] : [...(card.button_list ?? []).map((b) => b.key), ...(card.submit_button ? [card.submit_button.key] : [])];
  return { id: cardIdOf(card.task_id), title: card.main_title.title, text: parts.filter(Boolean).join('\n'), actions };
}

/** Polls `read` until it returns a value (the fakes record synchronously; the app works asynchronously). */
export async function eventually<T>(read: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
