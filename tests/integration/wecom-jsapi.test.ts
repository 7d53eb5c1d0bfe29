/**
 * The scanner page inside WeCom: the page loads the WeCom JS-SDK (served by us) and gets its
 * `ww.register` signatures from the page's API, signed with the corp and agent jsapi tickets of
 * the fake WeCom API (fetched once, cached), only for the page's own URL. Outside demo mode the
 * admission key is derived from the PII key.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWecomWorld, type WecomWorld } from '../fakes/wecom/world.js';

describe('WeCom JS-SDK signature for the scanner page', () => {
  let w: WecomWorld;
  let cookie = '';
  let path = '';
  beforeAll(async () => {
    w = await startWecomWorld({ bot: false });
    const s = w.t.app.services;
    await s.directory.upsertUser({ platform: 'wecom', externalId: 'wangfang', name: '王芳', roles: ['organizer'], department: null });
    const meeting = await s.db.meeting.create({
      data: { title: '企微入场', startAt: new Date(Date.now() + 3600_000), conversationId: 'wecom:dm:wangfang', creatorId: 'wecom:wangfang', organizerIds: '["wecom:wangfang"]' },
    });
    const [lane] = await s.door.lanes(meeting);
    path = s.door.pagePath(meeting, lane!);
    const link = await s.pageAccess.issueLink('wecom:wangfang', path);
    const res = await fetch(`${w.t.baseUrl}${new URL(link).pathname}`, { redirect: 'manual' });
    cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  });
  afterAll(async () => {
    await w?.close();
  });

  const get = (url: string, accept = 'application/json') => fetch(`${w.t.baseUrl}${url}`, { headers: { cookie, accept } });

  it('serves the page with the WeCom JS-SDK from our own origin', async () => {
    const page = await (await get(path, 'text/html')).text();
    expect(page).toContain('<script src="/checkin/static/wecom.js" defer></script>');
    expect(page).toContain('"corpId"');
    const sdk = await get('/checkin/static/wecom.js', '*/*');
    expect(sdk.status).toBe(200);
    expect(sdk.headers.get('content-type')).toContain('javascript');
    expect((await sdk.text()).length).toBeGreaterThan(10_000);
  });

  it('signs the page URL with the corp and agent tickets, fetching each ticket once', async () => {
    const pageUrl = `${w.t.app.services.pageAccess.baseUrl}${path}#scan`;
    for (const kind of ['corp', 'agent'] as const) {
      for (let i = 0; i < 2; i++) {
        const res = await get(`${path}/api/jsapi?kind=${kind}&url=${encodeURIComponent(pageUrl)}`);
        expect(res.status).toBe(200);
        const sig = (await res.json()) as { timestamp: number; nonceStr: string; signature: string };
        const ticket = w.api.jsapiTickets[kind].at(-1)!;
        const expected = createHash('sha1').update(`jsapi_ticket=${ticket}&noncestr=${sig.nonceStr}&timestamp=${sig.timestamp}&url=${pageUrl.split('#')[0]}`).digest('hex');
        expect(sig.signature).toBe(expected);
        expect(Math.abs(sig.timestamp - Date.now() / 1000)).toBeLessThan(60);
      }
      expect(w.api.jsapiTickets[kind]).toHaveLength(1);
    }
    expect(w.api.calls('ticket/get')[0]!.query).toMatchObject({ type: 'agent_config' });
  });

  it('refuses to sign any other URL', async () => {
    const res = await get(`${path}/api/jsapi?kind=corp&url=${encodeURIComponent('https://evil.example/checkin')}`);
    expect(res.status).toBe(400);
    expect(w.api.jsapiTickets.corp).toHaveLength(1);
  });
});
