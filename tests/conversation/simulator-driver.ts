/** The simulator's driver for the conversation suite: its public JSON API, nothing more. */
import type { Card } from '../../cards/model.js';
import { SIM_USERS } from '../../src/platforms/simulator/seed.js';
import { startTestApp, type TestApp } from '../support/harness.js';
import { type SimMessage, addressed } from '../support/sim-client.js';
import { type ChatDriver, grantRolesTo, type SeenCard, type SeenMessage } from './driver.js';


export function seenCard(card: Card): SeenCard {
  const parts = [card.title, card.body ?? '', ...(card.fields ?? []).map((f) => `${f.label} ${f.value}`), card.state?.label ?? ''];
  return { id: card.id, title: card.title, text: parts.join('\n'), actions: card.state?.closed ? [] : (card.actions ?? []).map((a) => a.key) };
}

const seen = (m: SimMessage): SeenMessage => ({ seq: m.id, ...(m.text !== undefined ? { text: m.text } : {}), ...(m.card ? { card: seenCard(m.card) } : {}) });

export async function simulatorDriver(env: Record<string, string> = {}): Promise<ChatDriver> {
  const t: TestApp = await startTestApp(env);
  // Mentions are typed as @<display name>; the cast uses display names so the suite can write `@${name}`.
  const idOf = (name: string) => SIM_USERS.find((u) => u.name === name)?.id ?? name;
  return {
    platform: 'simulator',
    cast: { organizer: '王芳', colleague: '赵磊', outsider: '周婷' },
    group: 'prep-group',
    dm: (user) => `dm-${idOf(user)}`,
    cursor: async (conversation) => (await t.sim.messages(conversation)).at(-1)?.id ?? 0,
    say: async (conversation, user, text) => {
      await t.sim.say(conversation, idOf(user), addressed(conversation, text));
    },
    chat: async (conversation, user, text) => {
      await t.sim.say(conversation, idOf(user), text);
    },
    grantRoles: (user, roles) => grantRolesTo(t.app.services.directory, `simulator:${idOf(user)}`, roles),
    nextBotMessage: async (conversation, after, match = () => true, timeoutMs) =>
      seen(await t.sim.nextBotMessage(conversation, after, (m) => match(seen(m)), timeoutMs)),
    click: async (_conversation, card, user, action) => {
      const res = await t.sim.click(card.id, idOf(user), action);
      if (res.status !== 200 || !res.body.accepted) throw new Error(`click refused: ${JSON.stringify(res.body)}`);
    },
    waitForCard: async (conversation, cardId, check, timeoutMs) =>
      seenCard(await t.sim.waitForCard(conversation, cardId, (c) => check(seenCard(c)), timeoutMs)),
    close: () => t.close(),
  };
}

