/**
 * The DingTalk driver for the conversation suite: the real app against the DingTalk fakes. People
 * write through the fake stream server and the bot's messages are read back from what reached the
 * fake (session webhooks, robot APIs, interactive cards), in DingTalk's own wire format.
 * In a DingTalk group a message only reaches the robot when it @-mentions it, so every group line
 * is sent as an @-message (the fake strips the robot's mention, as DingTalk does).
 */
import { DINGTALK_CARD_VARS as V } from '../../src/platforms/dingtalk/card-render.js';
import { FakeDingTalk } from '../fakes/dingtalk/fake-dingtalk.js';
import type { FakeCard, FakeMessage } from '../fakes/dingtalk/world.js';
import { startTestApp } from '../support/harness.js';
import { type ChatDriver, grantRolesTo, type SeenCard, type SeenMessage } from './driver.js';

export const DINGTALK_CAST = [
  { staffId: 'wangfang', nick: '王芳' },
  { staffId: 'zhaolei', nick: '赵磊' },
  { staffId: 'zhouting', nick: '周婷' },
] as const;
export const DINGTALK_GROUP = 'cidGroupPrep==';

/** A fake with the demo cast and the preparation group. */
export async function startFakeDingTalk(): Promise<FakeDingTalk> {
  const fake = await new FakeDingTalk().start();
  for (const u of DINGTALK_CAST) fake.world.addUser(u.staffId, u.nick);
  fake.world.addGroup(DINGTALK_GROUP, '会务筹备群', DINGTALK_CAST.map((u) => u.staffId));
  return fake;
}

/** What a person sees of an interactive card, read from its card data. */
export function seenDingTalkCard(card: FakeCard): SeenCard {
  const d = card.data;
  const fields = JSON.parse(d[V.fields] ?? '[]') as Array<{ label: string; value: string }>;
  const actions = d[V.closed] === 'true' ? [] : (JSON.parse(d[V.actions] ?? '[]') as Array<{ key: string }>).map((a) => a.key);
  const text = [d[V.title] ?? '', d[V.body] ?? '', ...fields.map((f) => `${f.label} ${f.value}`), d[V.status] ?? ''].join('\n');
  return { id: card.outTrackId, title: d[V.title] ?? '', text, actions };
}

export async function dingtalkDriver(env: Record<string, string> = {}): Promise<ChatDriver> {
  const fake = await startFakeDingTalk();
  const t = await startTestApp({ ...fake.env(), ...env });
  const staffIdOf = (name: string) => DINGTALK_CAST.find((u) => u.nick === name)?.staffId ?? name;
  const seen = (m: FakeMessage): SeenMessage => {
    const card = m.card ? fake.world.cards.get(m.card) : undefined;
    return {
      seq: m.seq,
      ...(m.text !== undefined ? { text: m.text } : m.markdown ? { text: m.markdown.text } : {}),
      ...(card ? { card: seenDingTalkCard(card) } : {}),
    };
  };
  return {
    platform: 'dingtalk',
    cast: { organizer: '王芳', colleague: '赵磊', outsider: '周婷' },
    group: DINGTALK_GROUP,
    dm: (user) => fake.world.dmCid(staffIdOf(user)),
    cursor: async (cid) => fake.world.messages.filter((m) => m.cid === cid).at(-1)?.seq ?? 0,
    say: async (cid, user, text) => {
      const ack = await fake.say(cid, staffIdOf(user), text).acked;
      if (ack.code !== 200) throw new Error(`message not acknowledged: ${JSON.stringify(ack)}`);
    },
    chat: async (cid, user, text) => {
      const ack = await fake.say(cid, staffIdOf(user), text, { notAtBot: true }).acked;
      if (ack.code !== 200) throw new Error(`message not acknowledged: ${JSON.stringify(ack)}`);
    },
    grantRoles: (user, roles) => grantRolesTo(t.app.services.directory, `dingtalk:${staffIdOf(user)}`, roles),
    nextBotMessage: (cid, after, match = () => true, timeoutMs = 10_000) =>
      fake.waitFor(
        () => fake.world.botMessages(cid).map(seen).find((m) => m.seq > after && match(m)),
        timeoutMs,
        `a bot message in ${cid}`,
      ),
    click: async (_cid, card, user, action) => {
      const ack = await fake.click(card.id, staffIdOf(user), action);
      if (ack.code !== 200) throw new Error(`click not acknowledged: ${JSON.stringify(ack)}`);
    },
    waitForCard: (_cid, cardId, check, timeoutMs = 10_000) =>
      fake.waitFor(
        () => {
          const card = fake.world.cards.get(cardId);
          const view = card && seenDingTalkCard(card);
          return view && check(view) ? view : undefined;
        },
        timeoutMs,
        `card ${cardId}`,
      ),
    close: async () => {
      await t.close();
      await fake.close();
    },
  };
}
