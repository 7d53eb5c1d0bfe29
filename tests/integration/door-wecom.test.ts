/**
 * The door on WeCom. A card with a picture (an admission code) arrives as the template card, then
 * the picture as an image message (WeCom's interactive cards cannot hold one), once per picture.
 * The scanner page inside WeCom: the page loads the WeCom JS-SDK (served by us) and gets its
 * `ww.register` signatures from the page's API, signed with the corp and agent jsapi tickets of
 * the fake WeCom API (fetched once, cached), only for the page's own URL. Outside demo mode the
 * admission key is derived from the PII key.
 */
import { createHash } from 'node:crypto';
import { admissionPng } from '../../src/services/admission.js';
import { eventually } from '../fakes/wecom/world.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWecomWorld, type WecomWorld } from '../fakes/wecom/world.js';

describe('the door on WeCom: card pictures and the scanner page', () => {
  let w: WecomWorld;
  let cookie = '';
  let path = '';
  beforeAll(async () => {
    w = await startWecomWorld({ bot: false });
    const s = w.t.app.services;
    await s.directory.upsertUser({ platform: 'wecom', externalId: 'wangfang', name: '王芳', roles: ['organizer'], department: null });
    const meeting = await s.db.meeting.create({
      data: { title: '企微入场', startAt: new Date(Date.now() + 3600_000), conversationId: 'wecom:dm:wangfang', creatorId: 'wecom:wangfang', organizerIds: '["wecom:wangfang"]', organizers: { create: { userId: 'wecom:wangfang' } } },
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

  it('sends a card with a picture as the card, then the picture as an image message, once', async () => {
    const s = w.t.app.services;
    const png = await admissionPng('HW1AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    const mediaId = await s.media.putPng(png);
    const card = { id: 'door-pic-1', title: '入场码', body: '请在门口出示', image: { mediaId, alt: '会议 #1 入场码' }, actions: [{ key: 'checkin.self', label: '签到' }] };
    await s.cards.send(card, { kind: 'test', refId: '1', target: { kind: 'user', userId: 'wecom:wangfang' }, recipientUserId: 'wecom:wangfang' });
    const image = await eventually(() => w.api.messages.find((m) => m.to === 'wangfang' && m.msgtype === 'image'), 10_000, 'the picture');
    expect(image.image!.equals(png)).toBe(true);
    const cardMsg = w.api.messages.find((m) => m.to === 'wangfang' && m.msgtype === 'template_card');
    expect(cardMsg).toBeDefined();
    // An update that keeps the picture sends no second image.
    await s.cards.update('door-pic-1', (c) => ({ ...c, body: '已更新' }));
    await eventually(() => w.api.calls('message/update_template_card').length > 0 || w.api.messages.filter((m) => m.to === 'wangfang' && m.msgtype !== 'image').length > 1, 10_000, 'the update');
    expect(w.api.messages.filter((m) => m.to === 'wangfang' && m.msgtype === 'image')).toHaveLength(1);
  });
});
