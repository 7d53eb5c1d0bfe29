/**
 * Signing in to the web pages from chat: a link works once, for its own person, for ten minutes;
 * the session cookie is HttpOnly and SameSite; writes need the session's CSRF token; signing out
 * ends every session; refusals are clear pages; the token never reaches the log.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PageAccess } from '../../src/services/page-access.js';
import { startTestApp, type TestApp } from '../support/harness.js';

let t: TestApp;
const logLines: string[] = [];
const ZHANG = 'simulator:zhangwei';
const LI = 'simulator:zhouting';
const HUANG = 'simulator:huangmin';

beforeAll(async () => {
  const log = pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) });
  t = await startTestApp({ HUIWU_RATE_LIMIT_SIGNIN_PER_MINUTE: '20' }, undefined, log);
});
afterAll(async () => {
  await t?.close();
});

const tokenOf = (link: string) => link.slice(link.lastIndexOf('/') + 1);
const path = (link: string) => new URL(link).pathname;

async function get(url: string, cookie?: string, accept = 'text/html') {
  return fetch(`${t.baseUrl}${url}`, { redirect: 'manual', headers: { accept, ...(cookie ? { cookie } : {}) } });
}

/** Opens a link and returns the session cookie it set. */
async function signIn(link: string): Promise<string> {
  const res = await get(path(link));
  expect(res.status).toBe(303);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

describe('sign-in links', () => {
  it('open a session once: HttpOnly SameSite cookie, redirect to the target, then refused with a clear page', async () => {
    const link = await t.app.services.pageAccess.issueLink(ZHANG, '/console');
    expect(link.startsWith(`http://localhost:${t.app.services.config.PORT}/auth/link/`)).toBe(true);
    const first = await get(path(link));
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/console');
    const cookie = first.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^huiwu_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=43\d{3}$/);

    const me = await get('/auth/me', cookie.split(';')[0], 'application/json');
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ id: ZHANG, name: '张伟', locale: 'zh-CN' });

    const again = await get(path(link));
    expect(again.status).toBe(410);
    expect(again.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const page = await again.text();
    expect(page).toContain('这个链接已经用过了');
    expect(page).toContain('控制台');
    expect(again.headers.get('set-cookie')).toBeNull();
  });

  it('refuses an expired link, a forged one, and one for another person than the signed-in browser', async () => {
    // Issued eleven minutes ago by the same rules: expired one minute ago.
    const config = t.app.services.config;
    const past = new PageAccess(t.app.services.db, config, () => new Date(Date.now() - 11 * 60_000));
    const expired = await get(path(await past.issueLink(ZHANG, '/console')));
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain('这个链接已过期：登录链接发出后 10 分钟内有效');

    const forged = await get('/auth/link/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    expect(forged.status).toBe(404);
    expect(await forged.text()).toContain('这个链接无效');

    const zhang = await signIn(await t.app.services.pageAccess.issueLink(ZHANG, '/console'));
    const liLink = await t.app.services.pageAccess.issueLink(LI, '/console');
    const crossed = await get(path(liLink), zhang);
    expect(crossed.status).toBe(403);
    expect(await crossed.text()).toContain('这个链接是发给周婷的，而这个浏览器已由张伟登录');
    // The refused attempt did not use up Zhou Ting's link.
    expect((await get(path(liLink))).status).toBe(303);
  });

  it('answers a page without a session with how to sign in, and data requests with 401', async () => {
    const page = await get('/auth/me');
    expect(page.status).toBe(401);
    expect(await page.text()).toContain('请在企业微信/钉钉里向会务助手发送「控制台」');
    const data = await get('/auth/me', 'huiwu_session=made-up', 'application/json');
    expect(data.status).toBe(401);
    expect((await data.json()).error).toContain('这个页面需要登录');
  });

  it('refuses a write without the CSRF token, and signs out everywhere with signOut', async () => {
    const cookie = await signIn(await t.app.services.pageAccess.issueLink(HUANG, '/console'));
    const other = await signIn(await t.app.services.pageAccess.issueLink(HUANG, '/console'));
    const noToken = await fetch(`${t.baseUrl}/auth/sign-out`, { method: 'POST', headers: { cookie } });
    expect(noToken.status).toBe(403);
    expect((await noToken.json()).error).toBe('页面已过期，请刷新页面后重试。');
    const { csrf } = (await (await get('/auth/me', cookie, 'application/json')).json()) as { csrf: string };
    const out = await fetch(`${t.baseUrl}/auth/sign-out`, { method: 'POST', headers: { cookie, 'x-csrf-token': csrf } });
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toContain('Max-Age=0');
    expect((await get('/auth/me', cookie, 'application/json')).status).toBe(401);
    // The other browser of the same person is still signed in until signOut.
    expect((await get('/auth/me', other, 'application/json')).status).toBe(200);
    const unused = await t.app.services.pageAccess.issueLink(HUANG, '/console');
    expect(await t.app.services.pageAccess.signOut(HUANG)).toBe(1);
    expect((await get('/auth/me', other, 'application/json')).status).toBe(401);
    expect((await get(path(unused))).status).toBe(410);
  });

  it('never logs a link token, and limits sign-in attempts per address', async () => {
    const link = await t.app.services.pageAccess.issueLink(ZHANG, '/console');
    await get(path(link));
    await get(path(link));
    expect(logLines.join('\n')).not.toContain(tokenOf(link));
    expect(logLines.join('\n')).toContain('/auth/link/[redacted]');
    let status = 0;
    for (let i = 0; i < 25 && status !== 429; i++) status = (await get(`/auth/link/guess${i}`)).status;
    expect(status).toBe(429);
  });
});
