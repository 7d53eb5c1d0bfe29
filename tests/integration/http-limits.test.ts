/**
 * Every HTTP entrance is bounded: per-IP budgets (admin API, simulator), the admin API's budget per
 * acting user, chat messages per person on every platform, a cap on open event streams per IP; floods of refusals cost one log line per IP and
 * minute; a token in a URL is refused and never written to the log.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entranceOf } from '../../src/server/entrances.js';
import { startTestApp, type TestApp } from '../support/harness.js';

const TOKEN = 'limits-admin-token-0123456789';
const SECRET_IN_URL = 'url-secret-9f8e7d6c5b4a';
const lines: string[] = [];
let t: TestApp;

beforeAll(async () => {
  // Debug level: fastify's own request lines (with their URLs) are written too.
  const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
  t = await startTestApp({ HUIWU_ADMIN_TOKEN: TOKEN, HUIWU_RATE_LIMIT_ADMIN_PER_MINUTE: '5', HUIWU_RATE_LIMIT_SIM_PER_MINUTE: '30', HUIWU_SIM_MAX_EVENT_STREAMS: '5', HUIWU_RATE_LIMIT_USER_PER_MINUTE: '4' }, undefined, log);
});
afterAll(async () => {
  await t?.close();
});

const inject = (url: string, ip: string, headers: Record<string, string> = {}) => t.app.server.inject({ method: 'GET', url, remoteAddress: ip, headers });
const logged = (msg: string) => lines.filter((l) => (JSON.parse(l) as { msg: string }).msg.startsWith(msg));

describe('HTTP entrances', () => {
  it('classifies every entrance', () => {
    expect(['/api/departments', '/wecom/callback?x=1', '/dingtalk/robot', '/sim/api/users', '/', '/healthz'].map(entranceOf)).toEqual([
      'admin', 'callback', 'callback', 'simulator', 'simulator', 'health',
    ]);
  });

  it('refuses a token in the URL without ever logging it', async () => {
    const res = await inject(`/api/departments?token=${SECRET_IN_URL}`, '10.0.0.9');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: expect.stringContaining('Authorization: Bearer') });
    await inject(`/sim/api/bot?token=${SECRET_IN_URL}`, '10.0.0.9');
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).not.toContain(SECRET_IN_URL);
  });

  it('limits the admin API per IP and logs a flood of bad tokens once', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 40; i++) codes.push((await inject('/api/departments', '10.0.0.1', { authorization: 'Bearer wrong-token-wrong-token' })).statusCode);
    expect(codes.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(new Set(codes.slice(5))).toEqual(new Set([429]));
    expect(logged('admin API: missing or wrong bearer token')).toHaveLength(1);
    expect(logged('rate limit exceeded')).toHaveLength(1);
    // Another IP has its own budget.
    expect((await inject('/api/departments', '10.0.0.2', { authorization: `Bearer ${TOKEN}`, 'x-huiwu-user': 'simulator:wangfang' })).statusCode).toBe(200);
  });

  it('limits the admin API per acting user across IPs', async () => {
    const as = (ip: string, user: string) => inject('/api/departments', ip, { authorization: `Bearer ${TOKEN}`, 'x-huiwu-user': user });
    for (let i = 0; i < 4; i++) expect((await as(`10.0.1.${i}`, 'simulator:wangfang')).statusCode).toBe(200);
    // wangfang used 5 with the call above; a sixth from a fresh IP is refused, another user is not.
    expect((await as('10.0.1.50', 'simulator:wangfang')).statusCode).toBe(429);
    expect((await as('10.0.1.51', 'simulator:admin')).statusCode).not.toBe(429);
  });

  it('limits chat messages per person, whatever the IP: the first one over is answered with why, the rest of the minute dropped, logged once', async () => {
    const dm = 'dm-zhouting';
    for (let i = 0; i < 6; i++) await t.sim.say(dm, 'zhouting', '提醒 列表');
    // Another person is served as usual.
    expect((await t.sim.ask('dm-wujun', 'wujun', '提醒 列表')).text).toBeDefined();
    const tooFast = await t.sim.nextBotMessage(dm, 0, (m) => m.text?.includes('你发得太快了') === true);
    expect(tooFast.text).toContain('每人每分钟最多 4 条');
    let replies = 0;
    for (let at = 0; replies < 5; replies++) at = (await t.sim.nextBotMessage(dm, at)).id;
    expect(logged('messages per minute of one person exceeded')).toHaveLength(1);
    // Four answered, one told why, the sixth dropped.
    const bot = (await t.sim.messages(dm)).filter((m) => m.from === 'bot');
    expect(bot).toHaveLength(5);
    expect(bot.filter((m) => m.text?.includes('你发得太快了'))).toHaveLength(1);
  });

  it('limits the simulator API per IP; the health check is never limited', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 32; i++) codes.push((await inject('/sim/api/bot', '10.0.2.1')).statusCode);
    expect(codes.filter((c) => c === 200)).toHaveLength(30);
    expect(codes.slice(30)).toEqual([429, 429]);
    for (let i = 0; i < 40; i++) expect((await inject('/healthz', '10.0.2.1')).statusCode).toBe(200);
  });

  it('caps open event streams per IP', async () => {
    const open = async () => {
      const controller = new AbortController();
      const res = await fetch(`${t.baseUrl}/sim/api/events`, { signal: controller.signal });
      return { status: res.status, close: () => controller.abort() };
    };
    const a = await open();
    const b = await open();
    expect([a.status, b.status]).toEqual([200, 200]);
    const c = await open();
    expect(c.status).toBe(429);
    a.close();
    // The slot is given back once the server sees the stream closed.
    let d = await open();
    for (let i = 0; d.status === 429 && i < 50; i++) {
      await new Promise((r) => setTimeout(r, 50));
      d = await open();
    }
    expect(d.status).toBe(200);
    b.close();
    d.close();
  });
});

describe('behind a trusted reverse proxy', () => {
  it('budgets the forwarded client, not the proxy', async () => {
    const proxied = await startTestApp({ HUIWU_TRUST_PROXY: '10.9.0.1', HUIWU_RATE_LIMIT_SIM_PER_MINUTE: '3' });
    try {
      const via = (client: string) => proxied.app.server.inject({ method: 'GET', url: '/sim/api/bot', remoteAddress: '10.9.0.1', headers: { 'x-forwarded-for': client } });
      const codes = [];
      for (let i = 0; i < 4; i++) codes.push((await via('203.0.113.7')).statusCode);
      expect(codes).toEqual([200, 200, 200, 429]);
      expect((await via('203.0.113.8')).statusCode).toBe(200);
    } finally {
      await proxied.close();
    }
  });
});
