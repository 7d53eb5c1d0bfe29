/**
 * Sign-in by the platform, for the console opened from the WeCom/DingTalk app menu:
 *
 *   WeCom web OAuth:  /auth/wecom/start?to=/console -> WeCom's authorize page -> /auth/wecom?code=&state=
 *   DingTalk 免登:     /auth/dingtalk/start?to=/console&corpId=$CORPID$ (a page whose script asks the
 *                     DingTalk client for an authCode) -> /auth/dingtalk?authCode=&state=
 *
 * The start step sets a random `state` in a short-lived HttpOnly cookie; the return step must bring
 * the same state, so nobody can sign a victim's browser in with the attacker's code (login CSRF).
 * The code is exchanged for the user id by the adapter (through `PlatformSignIn`), then a session
 * opens as a redeemed link's does. Codes and states never reach a log line (only the path is logged).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { noteRefusal } from '../server/refusal-log.js';
import { isLocalPath } from '../services/page-access.js';
import type { SignInPlatform } from '../services/platform-sign-in.js';
import type { Services } from '../services/services.js';
import { escapeHtml, noticePage, renderPage } from './html.js';
import { cookieOf, sendPage, startSession } from './sign-in.js';

export const OAUTH_COOKIE = 'huiwu_oauth';
const STATE_TTL_S = 600;
const DEFAULT_TARGET = '/console';

/** `state.target` in the cookie; the target is our own path, base64url so it needs no quoting. */
function stateCookie(services: Services, state: string | null, target = ''): string {
  const secure = services.pageAccess.baseUrl.startsWith('https:') ? '; Secure' : '';
  const value = state === null ? '' : `${state}.${Buffer.from(target).toString('base64url')}`;
  return `${OAUTH_COOKIE}=${value}; Path=/auth/; HttpOnly; SameSite=Lax; Max-Age=${state === null ? 0 : STATE_TTL_S}${secure}`;
}

function readState(request: FastifyRequest): { state: string; target: string } | null {
  const raw = cookieOf(request, OAUTH_COOKIE);
  const [state, target] = (raw ?? '').split('.');
  if (!state || !target) return null;
  const path = Buffer.from(target, 'base64url').toString();
  return { state, target: isLocalPath(path) ? path : DEFAULT_TARGET };
}

const sameText = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

function refused(request: FastifyRequest, reply: FastifyReply, services: Services, why: 'state' | 'code' | 'unavailable', platform: SignInPlatform): FastifyReply {
  noteRefusal(request, `signin-${platform}-${why}`, `${platform} sign-in refused`);
  const t = services.locales.translator();
  const status = why === 'unavailable' ? 404 : 403;
  return sendPage(reply, noticePage(t, t.t('web.signIn.refusedTitle'), [t.t(`console.signIn.${why}`, { platform: t.t(`console.signIn.platform.${platform}`) }), t.t('web.signIn.howToGetOne')]), status);
}

/** Exchanges the code and opens the session, or answers with the refusal. */
async function finish(request: FastifyRequest<{ Querystring: Record<string, string | undefined> }>, reply: FastifyReply, services: Services, platform: SignInPlatform, code: string | undefined) {
  if (!services.platformSignIn.offers(platform)) return refused(request, reply, services, 'unavailable', platform);
  const saved = readState(request);
  const state = request.query.state ?? '';
  if (!saved || !state || !sameText(saved.state, state)) return refused(request, reply, services, 'state', platform);
  // The state is spent either way: a second return with it starts over.
  reply.header('set-cookie', stateCookie(services, null));
  const userId = code && code.length <= 512 ? await services.platformSignIn.userId(platform, code) : null;
  if (!userId) return refused(request, reply, services, 'code', platform);
  return startSession(reply, services, await services.pageAccess.openSession(userId, platform), saved.target);
}

function targetOf(to: string | undefined): string {
  return to && isLocalPath(to) ? to : DEFAULT_TARGET;
}

export async function platformSignInRoutes(app: FastifyInstance, services: Services): Promise<void> {
  type Query = { Querystring: Record<string, string | undefined> };

  app.get<Query>('/auth/wecom/start', async (request, reply) => {
    const state = randomBytes(24).toString('base64url');
    const url = services.platformSignIn.signInUrl('wecom', `${services.pageAccess.baseUrl}/auth/wecom`, state);
    if (!url) return refused(request, reply, services, 'unavailable', 'wecom');
    return reply.code(302).header('set-cookie', stateCookie(services, state, targetOf(request.query.to))).header('cache-control', 'no-store').header('location', url).send();
  });

  app.get<Query>('/auth/wecom', async (request, reply) => finish(request, reply, services, 'wecom', request.query.code));

  // The DingTalk client gives an authCode only to a script inside its web view (dd.getAuthCode).
  app.get<Query>('/auth/dingtalk/start', async (request, reply) => {
    if (!services.platformSignIn.offers('dingtalk')) return refused(request, reply, services, 'unavailable', 'dingtalk');
    const state = randomBytes(24).toString('base64url');
    const t = services.locales.translator();
    const corpId = (request.query.corpId ?? '').replace(/[^A-Za-z0-9_-]/g, '');
    const html = renderPage(t, {
      title: t.t('console.signIn.dingtalkTitle'),
      head: '<script src="/console/static/dingtalk.open.js" defer></script><script src="/console/static/dingtalk-sign-in.js" defer></script>',
      body: `<div class="notice" id="dingtalk-sign-in" data-state="${escapeHtml(state)}" data-corp-id="${escapeHtml(corpId)}"><h1>${escapeHtml(t.t('console.signIn.dingtalkTitle'))}</h1><p id="dingtalk-status">${escapeHtml(t.t('console.signIn.dingtalkWaiting'))}</p><p id="dingtalk-outside" hidden>${escapeHtml(t.t('console.signIn.dingtalkOutside'))}</p></div>`,
    });
    return sendPage(reply.header('set-cookie', stateCookie(services, state, targetOf(request.query.to))), html);
  });

  app.get<Query>('/auth/dingtalk', async (request, reply) => finish(request, reply, services, 'dingtalk', request.query.authCode));
}
