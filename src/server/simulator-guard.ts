/**
 * Beside a real platform the simulator's API acts on the same database as WeCom or DingTalk (its
 * demo admin could cancel real meetings), so it requires the admin token: `Authorization: Bearer`
 * or the `huiwu_token` cookie the simulator page sets after asking for it. The page's static files
 * stay public; they hold nothing.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { noteRefusal } from './refusal-log.js';

export const TOKEN_COOKIE = 'huiwu_token';

export function tokenEquals(given: string | undefined, token: string): boolean {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function bearerOf(request: FastifyRequest): string | undefined {
  return /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
}

function cookieOf(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

export function simulatorGuard(token: string) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!request.url.startsWith('/sim/')) return;
    if (tokenEquals(bearerOf(request), token) || tokenEquals(cookieOf(request, TOKEN_COOKIE), token)) return;
    noteRefusal(request, 'simulator-token', 'simulator API: missing or wrong admin token (a real platform is configured)');
    await reply.code(401).send({ error: 'a chat platform is configured: the simulator needs the admin token (Authorization: Bearer <HUIWU_ADMIN_TOKEN>)' });
  };
}
