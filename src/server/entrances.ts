/**
 * Limits on every HTTP entrance: requests per minute per IP (@fastify/rate-limit, in memory, one
 * budget per entrance), the admin API's budget per acting user, and a cap on open event streams.
 * Refusals go through the sampling refusal log, so a flood costs one log line a minute per IP.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import { noteRefusal } from './refusal-log.js';

export type Entrance = 'admin' | 'callback' | 'signin' | 'simulator' | 'health';

export interface EntranceLimits {
  adminPerMinute: number;
  callbackPerMinute: number;
  simulatorPerMinute: number;
  /** Sign-in links and platform sign-in (/auth/): guessing tokens is refused early. */
  signInPerMinute: number;
  /** Open `/sim/api/events` streams at once (a fifth of them per IP, at least 2). */
  eventStreams: number;
}

export function entranceOf(url: string): Entrance {
  if (url === '/healthz' || url.startsWith('/healthz?')) return 'health';
  if (url.startsWith('/api/') || url === '/api') return 'admin';
  if (url.startsWith('/wecom/') || url.startsWith('/dingtalk/')) return 'callback';
  if (url.startsWith('/auth/')) return 'signin';
  return 'simulator';
}

export async function entranceLimits(app: FastifyInstance, limits: EntranceLimits): Promise<void> {
  const perMinute: Record<Entrance, number> = {
    admin: limits.adminPerMinute,
    callback: limits.callbackPerMinute,
    simulator: limits.simulatorPerMinute,
    signin: limits.signInPerMinute,
    health: Number.MAX_SAFE_INTEGER,
  };
  await app.register(rateLimit, { global: false });
  // A root hook rather than the plugin's per-route one: it runs before any plugin's own hooks (the
  // admin API's token check), so a flood is refused before it costs a lookup or a log line. It
  // also covers unknown URLs.
  app.addHook(
    'onRequest',
    app.rateLimit({
      timeWindow: 60_000,
      keyGenerator: (request) => `${entranceOf(request.url)}|${request.ip}`,
      max: (request) => perMinute[entranceOf(request.url)],
      allowList: (request) => entranceOf(request.url) === 'health',
      onExceeded: (request) => noteRefusal(request, `rate-${entranceOf(request.url)}`, 'rate limit exceeded; requests refused with 429'),
    }),
  );
  eventStreamCap(app, '/sim/api/events', limits.eventStreams);
}

/**
 * The admin API's second budget, per acting user (`X-Huiwu-User`), checked after authentication.
 * A separate check (`createRateLimit`), since the plugin runs one limit handler per request.
 */
export function perUserLimit(app: FastifyInstance, perMinute: number): onRequestAsyncHookHandler {
  const check = app.createRateLimit({ max: perMinute, timeWindow: 60_000, keyGenerator: (request) => `user|${String(request.headers['x-huiwu-user'] ?? '')}` });
  return async (request, reply) => {
    if (typeof request.headers['x-huiwu-user'] !== 'string') return;
    const result = await check(request);
    if (result.isAllowed || !result.isExceeded) return;
    noteRefusal(request, 'rate-admin-user', 'admin API rate limit of the acting user exceeded', { user: request.headers['x-huiwu-user'] });
    await reply.code(429).header('retry-after', result.ttlInSeconds).send({ error: `rate limit of ${request.headers['x-huiwu-user']} exceeded: at most ${perMinute} admin requests a minute` });
  };
}

/** Long-lived streams hold a socket each: a total cap and a per-IP cap (429 beyond them). */
function eventStreamCap(app: FastifyInstance, path: string, max: number): void {
  const perIpMax = Math.max(2, Math.floor(max / 5));
  const byIp = new Map<string, number>();
  let open = 0;
  app.addHook('onRequest', async (request, reply) => {
    if (request.url.split('?')[0] !== path) return;
    const mine = byIp.get(request.ip) ?? 0;
    if (open >= max || mine >= perIpMax) {
      noteRefusal(request, 'event-streams', 'too many open event streams; refused with 429', { open, fromIp: mine });
      return reply.code(429).send({ error: `too many open event streams (at most ${max}, ${perIpMax} per IP)` });
    }
    open++;
    byIp.set(request.ip, mine + 1);
    reply.raw.once('close', () => {
      open--;
      const left = (byIp.get(request.ip) ?? 1) - 1;
      if (left > 0) byIp.set(request.ip, left);
      else byIp.delete(request.ip);
    });
  });
}
