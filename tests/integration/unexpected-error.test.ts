/**
 * An unexpected error in a command or a card action: the person gets an apology with a reference
 * they can quote, in their language, and nothing of the internals; the log has the details under
 * the same reference. Real app, real router, real services; the failing command and card action
 * are test-only registrations (a bug stands in for any bug).
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { internalId } from '../../src/services/ids.js';
import { HandlerRegistry, keywordsKey } from '../../src/router/registry.js';
import { Router } from '../../src/router/router.js';
import { words } from '../../src/i18n/vocabulary.js';
import { startTestApp, type TestApp } from '../support/harness.js';

const INTERNALS = 'Invalid `prisma.reminder.create()` invocation in /work/src/services/reminders.ts:42:19';

let t: TestApp;
const logLines: Array<Record<string, unknown>> = [];
let router: Router;

beforeAll(async () => {
  const log = pino({ level: 'error' }, { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) });
  t = await startTestApp({}, undefined, log);
  const registry = new HandlerRegistry((id) => (id === 'explode' ? ['explode'] : words(keywordsKey(id))));
  registry.command({
    id: 'explode',
    handle: async () => {
      throw new Error(INTERNALS);
    },
  });
  router = new Router(registry, t.app.services);
});
afterAll(async () => {
  await t?.close();
});

async function explodeAs(user: string): Promise<string> {
  const conversation = `dm-${user}`;
  const after = (await t.sim.messages(conversation)).at(-1)?.id ?? 0;
  await router.handleMessage({
    kind: 'message',
    platform: 'simulator',
    eventId: `explode-${user}-${Date.now()}`,
    conversationId: internalId('simulator', conversation),
    conversationType: 'direct',
    userId: internalId('simulator', user),
    text: 'explode now',
    mentions: [],
    receivedAt: new Date().toISOString(),
  });
  return (await t.sim.nextBotMessage(conversation, after, (m) => m.text !== undefined)).text!;
}

describe('an unexpected error', () => {
  it('answers with a reference to quote, logs the details under it, and leaks nothing', async () => {
    const reply = await explodeAs('wangfang');
    expect(reply).toMatch(/^抱歉，处理时出错了，请稍后重试（参考号 [2-9A-Z]{6}）。$/);
    const ref = /参考号 ([2-9A-Z]{6})/.exec(reply)![1];
    expect(reply).not.toMatch(/prisma|\/work\/|reminders\.ts/);
    const logged = logLines.find((l) => l.ref === ref);
    expect(logged).toMatchObject({ command: 'explode', text: 'explode now', msg: 'command failed' });
    expect(JSON.stringify(logged)).toContain('reminders.ts:42:19');
  });

  it('is worded in the person’s language', async () => {
    expect((await t.sim.ask('dm-zhaolei', 'zhaolei', 'language English')).text).toContain('English');
    const reply = await explodeAs('zhaolei');
    expect(reply).toMatch(/^Sorry, something went wrong; please try again later \(reference [2-9A-Z]{6}\)\.$/);
  });
});
