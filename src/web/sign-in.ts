/**
 * Signing browsers in to Huiwu's pages: `GET /auth/link/<token>` redeems a link the bot sent in chat
 * and sets the session cookie (HttpOnly, SameSite=Lax, Secure on https); `pageUser` guards every
 * page and data route with that session, and every write with its CSRF token. Refusals are pages
 * that say what happened and what to do; they are logged without the token.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { Translator } from '../i18n/translator.js';
import { noteRefusal } from '../server/refusal-log.js';
import type { LinkRefusal, PageAccess } from '../services/page-access.js';
import type { Services } from '../services/services.js';
import { noticePage } from './html.js';

export const SESSION_COOKIE = 'huiwu_session';
export const CSRF_HEADER = 'x-csrf-token';

/** The signed-in user of a page request, with their language. */
export interface PageUser {
  id: string;
  name: string;
  roles: readonly string[];
  csrf: string;
  t: Translator;
}

declare module 'fastify' {
  interface FastifyRequest {
    pageUser?: PageUser;
  }
}

/** Content rules for our pages: own scripts and styles only, never framed, never cached. */
const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export function sendPage(reply: FastifyReply, html: string, status = 200): FastifyReply {
  return reply.code(status).headers(PAGE_HEADERS).send(html);
}

export function cookieOf(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

function sessionCookie(access: PageAccess, token: string, maxAgeSeconds: number): string {
  const secure = access.baseUrl.startsWith('https:') ? '; Secure' : '';
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure}`;
}

/** Sets the session cookie and sends the browser on to `target`. */
export function startSession(reply: FastifyReply, services: Services, session: { token: string; expiresAt: Date }, target: string): FastifyReply {
  const maxAge = Math.max(1, Math.floor((session.expiresAt.getTime() - services.clock().getTime()) / 1000));
  return reply.code(303).header('set-cookie', sessionCookie(services.pageAccess, session.token, maxAge)).header('cache-control', 'no-store').header('location', target).send();
}

async function userOf(services: Services, userId: string): Promise<{ name: string; roles: string[]; t: Translator }> {
  const user = await services.directory.user(userId);
  return { name: user?.name ?? userId, roles: user?.roles ?? [], t: services.locales.ofUser(user) };
}

/** The refusal page of a link that opens nothing. */
async function linkRefused(request: FastifyRequest, reply: FastifyReply, services: Services, reason: LinkRefusal, linkUser?: string, current?: string): Promise<FastifyReply> {
  noteRefusal(request, `signin-${reason}`, 'sign-in link refused');
  const t = linkUser ? await services.locales.forUser(linkUser) : services.locales.translator();
  const params = {
    minutes: Math.round(services.config.HUIWU_PAGE_LINK_TTL.ms / 60_000),
    owner: linkUser ? (await services.directory.user(linkUser))?.name ?? '' : '',
    current: current ? (await services.directory.user(current))?.name ?? '' : '',
  };
  const status = reason === 'unknown' ? 404 : reason === 'other-user' ? 403 : 410;
  return sendPage(reply, noticePage(t, t.t('web.signIn.refusedTitle'), [t.t(`web.signIn.${reason === 'other-user' ? 'otherUser' : reason}`, params), t.t('web.signIn.howToGetOne')]), status);
}

/** `/auth/link/<token>` and `/auth/sign-out`. */
export async function signInRoutes(app: FastifyInstance, services: Services): Promise<void> {
  app.get<{ Params: { token: string } }>('/auth/link/:token', async (request, reply) => {
    const current = await services.pageAccess.session(cookieOf(request, SESSION_COOKIE));
    const result = await services.pageAccess.redeem(request.params.token, current?.userId);
    if (!result.ok) return linkRefused(request, reply, services, result.reason, result.userId, current?.userId);
    return startSession(reply, services, result.session, result.target);
  });

  // Who is signed in, and the CSRF token the page's scripts send back with every write.
  app.get('/auth/me', { preHandler: pageUser(services) }, async (request) => {
    const { id, name, roles, csrf, t } = request.pageUser!;
    return { id, name, roles, csrf, locale: t.locale };
  });

  app.post('/auth/sign-out', { preHandler: pageUser(services) }, async (request, reply) => {
    const token = cookieOf(request, SESSION_COOKIE);
    if (token) await services.pageAccess.end(token);
    const t = request.pageUser!.t;
    return sendPage(reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`), noticePage(t, t.t('web.signIn.signedOutTitle'), [t.t('web.signIn.signedOut')]));
  });
}

/**
 * Guards a page or data route: a signed-in session (else a page saying how to sign in, or 401
 * JSON for data requests), and the session's CSRF token on every request that writes.
 */
export function pageUser(services: Services): preHandlerAsyncHookHandler {
  return async (request, reply) => {
    const session = await services.pageAccess.session(cookieOf(request, SESSION_COOKIE));
    const wantsHtml = request.method === 'GET' && (request.headers.accept ?? '').includes('text/html');
    if (!session) {
      noteRefusal(request, 'page-no-session', 'page request without a session');
      const t = services.locales.translator();
      if (wantsHtml) return sendPage(reply, noticePage(t, t.t('web.signIn.neededTitle'), [t.t('web.signIn.needed')]), 401);
      return reply.code(401).send({ error: t.t('web.signIn.needed') });
    }
    const writes = !['GET', 'HEAD', 'OPTIONS'].includes(request.method);
    if (writes && request.headers[CSRF_HEADER] !== session.csrf) {
      noteRefusal(request, 'page-csrf', 'page write without the session CSRF token', { user: session.userId });
      const t = await services.locales.forUser(session.userId);
      return reply.code(403).send({ error: t.t('web.signIn.csrf') });
    }
    request.pageUser = { id: session.userId, csrf: session.csrf, ...(await userOf(services, session.userId)) };
  };
}
