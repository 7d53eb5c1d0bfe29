/**
 * HUIWU_SIMULATOR=on beside a real platform: the simulator's API acts on the same data as
 * DingTalk, so it requires the admin token (header, or the cookie the page sets); its static
 * page stays public. In demo mode (simulator alone) every other test uses it without a token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeDingTalk } from '../conversation/dingtalk-driver.js';
import type { FakeDingTalk } from '../fakes/dingtalk/fake-dingtalk.js';
import { startTestApp, type TestApp } from '../support/harness.js';

let fake: FakeDingTalk;
let t: TestApp;
let token: string;

beforeAll(async () => {
  fake = await startFakeDingTalk();
  const env: Record<string, string> = { ...fake.env(), HUIWU_SIMULATOR: 'on' };
  token = env.HUIWU_ADMIN_TOKEN!;
  t = await startTestApp(env);
});
afterAll(async () => {
  await t?.close();
  await fake?.close();
});

const call = (path: string, init: RequestInit = {}) => fetch(`${t.baseUrl}${path}`, init);
const post = (headers: Record<string, string>) =>
  call('/sim/api/messages', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ conversation: 'prep-group', from: 'wangfang', text: '帮助' }) });

describe('simulator beside a real platform', () => {
  it('refuses the API without the admin token and changes nothing', async () => {
    const users = await call('/sim/api/users');
    expect(users.status).toBe(401);
    expect(((await users.json()) as { error: string }).error).toMatch(/admin token/);
    expect((await post({})).status).toBe(401);
    expect((await post({ authorization: 'Bearer wrong-token-of-the-same-len' })).status).toBe(401);
    expect((await call('/sim/api/events')).status).toBe(401);
    expect(await t.app.services.db.simMessage.count()).toBe(0);
  });

  it('accepts the admin token as a bearer header or as the page cookie', async () => {
    expect((await call('/sim/api/users', { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await post({ cookie: `theme=dark; huiwu_token=${encodeURIComponent(token)}` })).status).toBe(202);
    expect(await t.app.services.db.simMessage.count()).toBe(1);
  });

  it('still serves the page itself, which asks for the token', async () => {
    const page = await call('/');
    expect(page.status).toBe(200);
    expect(await (await call('/app.js')).text()).toContain('huiwu_token');
  });
});
