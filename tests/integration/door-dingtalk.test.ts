/**
 * The door's scanner page inside DingTalk, against the fake DingTalk: the page loads DingTalk's JSAPI
 * (served by us) and gets its `dd.config` signature from the page's API, signed with the app's
 * jsapi_ticket from the fake's legacy `get_jsapi_ticket` (the access token in the query): fetched
 * once and cached, fetched anew when a page asks after a refused config (at most once a minute),
 * through a revoked access token (refreshed and retried), and only for the page's own URL.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeDingTalk } from '../conversation/dingtalk-driver.js';
import type { FakeDingTalk } from '../fakes/dingtalk/fake-dingtalk.js';
import { startTestApp, type TestApp } from '../support/harness.js';

const JSAPI = { DINGTALK_AGENT_ID: '3012345678', DINGTALK_CORP_ID: 'dingfakecorp0001' };

describe('the door on DingTalk: dd.config signatures for the scanner page', () => {
  let fake: FakeDingTalk;
  let t: TestApp;
  let cookie = '';
  let path = '';
  beforeAll(async () => {
    fake = await startFakeDingTalk();
    t = await startTestApp({ ...fake.env(), ...JSAPI });
    const s = t.app.services;
    await s.directory.upsertUser({ platform: 'dingtalk', externalId: 'wangfang', name: '王芳', roles: ['organizer'], department: null });
    const meeting = await s.db.meeting.create({
      data: { title: '钉钉入场', startAt: new Date(Date.now() + 3600_000), conversationId: 'dingtalk:dm:wangfang', creatorId: 'dingtalk:wangfang', organizerIds: '["dingtalk:wangfang"]', organizers: { create: { userId: 'dingtalk:wangfang' } } },
    });
    const [lane] = await s.door.lanes(meeting);
    path = s.door.pagePath(meeting, lane!);
    const link = await s.pageAccess.issueLink('dingtalk:wangfang', path);
    const res = await fetch(`${t.baseUrl}${new URL(link).pathname}`, { redirect: 'manual' });
    cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  const get = (url: string, accept = 'application/json') => fetch(`${t.baseUrl}${url}`, { headers: { cookie, accept } });
  const pageUrl = () => `${t.app.services.pageAccess.baseUrl}${path}`;
  const sign = async (extra = '') => {
    const res = await get(`${path}/api/jsapi?platform=dingtalk&url=${encodeURIComponent(`${pageUrl()}#scan`)}${extra}`);
    expect(res.status).toBe(200);
    return (await res.json()) as { timestamp: number; nonceStr: string; signature: string };
  };
  /** What the DingTalk client checks: the latest ticket the fake handed out. */
  const verifies = (sig: { timestamp: number; nonceStr: string; signature: string }) =>
    createHash('sha1').update(`jsapi_ticket=${fake.api.jsapiTickets.at(-1)}&noncestr=${sig.nonceStr}&timestamp=${sig.timestamp}&url=${pageUrl()}`).digest('hex') === sig.signature;
  const ticketCalls = () => fake.api.calls('/get_jsapi_ticket');

  it("serves the page with DingTalk's JSAPI and dd.config's corpId and agentId", async () => {
    const page = await (await get(path, 'text/html')).text();
    expect(page).toContain('<script src="/console/static/dingtalk.open.js" defer></script>');
    expect(page).toContain('"dingtalk":{"corpId":"dingfakecorp0001","agentId":"3012345678"}');
    expect(page).not.toContain('wecom.js');
  });

  it('signs the page URL with the jsapi ticket, fetched once and cached', async () => {
    for (let i = 0; i < 3; i++) {
      const sig = await sign();
      expect(verifies(sig)).toBe(true);
      expect(Math.abs(sig.timestamp - Date.now() / 1000)).toBeLessThan(60);
    }
    expect(fake.api.jsapiTickets).toHaveLength(1);
    expect(ticketCalls()).toHaveLength(1);
    expect(ticketCalls()[0]).toMatchObject({ method: 'GET', status: 200 });
  });

  it('fetches a fresh ticket after a refused config, through a revoked access token, at most once a minute', async () => {
    fake.api.revokeTokens();
    const tokensBefore = fake.api.calls('/v1.0/oauth2/accessToken').length;
    const sig = await sign('&fresh=1');
    expect(fake.api.jsapiTickets).toHaveLength(2);
    expect(verifies(sig)).toBe(true);
    // The revoked token was refused (40014), a new one fetched and the call retried once.
    expect(ticketCalls().map((c) => c.status)).toEqual([200, 200, 200]);
    expect(fake.api.calls('/v1.0/oauth2/accessToken').length).toBe(tokensBefore + 1);
    // A second forced refresh within the minute uses the ticket just fetched.
    expect(verifies(await sign('&fresh=1'))).toBe(true);
    expect(fake.api.jsapiTickets).toHaveLength(2);
  });

  it('refuses to sign any other URL', async () => {
    const res = await get(`${path}/api/jsapi?platform=dingtalk&url=${encodeURIComponent('https://evil.example/checkin')}`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toContain('钉钉');
    expect(fake.api.jsapiTickets).toHaveLength(2);
  });
});
