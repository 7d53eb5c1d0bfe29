/**
 * The scanner page of a check-in lane, `/checkin/m<meeting>/l<lane>`, and its data routes. Signed
 * in like every Huiwu page (a personal link from `签到 扫码`, `pageUser`: session, CSRF on writes);
 * only the meeting's organizers and the lane's staff may use it. The page's scripts are static
 * files we serve (our own, jsQR for the camera, the WeCom JS-SDK), since the CSP allows only ours.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CodedError, UserError } from '../errors.js';
import type { Translator } from '../i18n/translator.js';
import type { DoorContext, ScanInput, Verdict } from '../services/door.js';
import { MAX_SYNC } from '../services/door.js';
import type { Services } from '../services/services.js';
import { escapeHtml, renderPage } from './html.js';
import { CSRF_HEADER, pageUser, sendPage } from './sign-in.js';
import { noticePage } from './html.js';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** Static scripts and styles, read once: name → [content type, path]. */
const STATIC: Record<string, [string, () => string]> = {
  'checkin.js': ['text/javascript; charset=utf-8', () => join(here, 'static', 'checkin.js')],
  'checkin.css': ['text/css; charset=utf-8', () => join(here, 'static', 'checkin.css')],
  'jsqr.js': ['text/javascript; charset=utf-8', () => require.resolve('jsqr/dist/jsQR.js')],
  'wecom.js': ['text/javascript; charset=utf-8', () => join(dirname(require.resolve('@wecom/jssdk/package.json')), 'dist', 'wecom.global.prod.js')],
};

const VERDICTS: readonly Verdict[] = ['admitted', 'already', 'wrong-lane', 'not-invited', 'cancelled', 'forged', 'revoked', 'expired', 'refused'];

/** Every text the page's script shows, in the staff member's language. */
function pageTexts(t: Translator, lane: string, target: number): Record<string, string> {
  const texts: Record<string, string> = {};
  for (const v of VERDICTS) texts[`verdict.${v}`] = t.t(`door.verdict.${v}`);
  for (const key of [
    'online', 'offline', 'queued', 'synced', 'doubles', 'wedge', 'camera', 'cameraStop', 'platformScan', 'vip', 'at', 'laneOf', 'offlineMark',
    'search', 'searchHint', 'admit', 'mismatchAdmit', 'mismatchRefuse', 'reason', 'reasonNeeded', 'walkin', 'walkinName', 'walkinNote', 'walkinSend',
    'walkinWaiting', 'walkinApproved', 'walkinRefused', 'rates', 'taskCreated', 'noHits', 'checkedIn', 'rosterCount', 'exceptions', 'cameraError',
    'rosterBad', 'rosterUnverified', 'approve', 'refuse',
  ]) {
    texts[key] = t.t(`door.page.${key}`, { lane, target });
  }
  return texts;
}

interface Resolved {
  ctx: DoorContext;
}

/** Meeting, lane and a staff member who may scan there, or an answer already sent. */
async function resolve(services: Services, request: FastifyRequest, reply: FastifyReply): Promise<Resolved | null> {
  const pu = request.pageUser!;
  const { meeting: m, lane: l } = request.params as { meeting: string; lane: string };
  const meetingId = /^m(\d{1,9})$/.exec(m)?.[1];
  const laneId = /^l(\d{1,9})$/.exec(l)?.[1];
  const meeting = meetingId ? await services.meetings.get(Number(meetingId)) : null;
  const lane = meeting && laneId ? await services.door.laneById(meeting.id, Number(laneId)) : null;
  const user = await services.directory.user(pu.id);
  const wantsHtml = request.method === 'GET' && (request.headers.accept ?? '').includes('text/html');
  if (!meeting || !lane || !user) {
    if (wantsHtml) await sendPage(reply, noticePage(pu.t, pu.t.t('door.page.notFoundTitle'), [pu.t.t('door.page.notFound')]), 404);
    else await reply.code(404).send({ error: pu.t.t('door.page.notFound') });
    return null;
  }
  if (!services.door.mayScan(meeting, lane, user)) {
    const text = pu.t.t('errors.E_DOOR_STAFF_ONLY', { id: meeting.id, lane: lane.name });
    if (wantsHtml) await sendPage(reply, noticePage(pu.t, pu.t.t('door.page.notFoundTitle'), [text]), 403);
    else await reply.code(403).send({ error: text });
    return null;
  }
  return { ctx: { meeting, lane, user, t: pu.t } };
}

/** Runs a data route: coded errors become 400 with the message in the staff member's language. */
function route(services: Services, work: (r: Resolved, request: FastifyRequest) => Promise<unknown>) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const resolved = await resolve(services, request, reply);
    if (!resolved) return reply;
    try {
      return await work(resolved, request);
    } catch (error) {
      if (error instanceof CodedError) return reply.code(400).send({ error: resolved.ctx.t.t(error.key, error.params), code: error.code });
      throw error;
    }
  };
}

function scanInput(body: unknown): ScanInput {
  const b = (body ?? {}) as Record<string, unknown>;
  const at = typeof b.at === 'string' ? new Date(b.at) : undefined;
  return {
    scanId: String(b.scanId ?? ''),
    code: String(b.code ?? '').slice(0, 200),
    ...(at && !Number.isNaN(at.getTime()) ? { at } : {}),
    ...(typeof b.localVerdict === 'string' ? { localVerdict: b.localVerdict } : {}),
  };
}

/** `dd.config`'s corpId and agentId when DingTalk's JSAPI is set up, else null (the page uses the camera). */
function dingTalkJsapi(services: Services): { corpId: string; agentId: string } | null {
  const { DINGTALK_CORP_ID: corpId, DINGTALK_AGENT_ID: agentId } = services.config;
  return corpId && agentId && services.jsapi.has('dingtalk') ? { corpId, agentId } : null;
}

function pageHtml(services: Services, ctx: DoorContext, csrf: string): string {
  const { t, meeting, lane } = ctx;
  const target = services.config.HUIWU_CHECKIN_TARGET_PER_MINUTE;
  const data = {
    meetingId: meeting.id,
    laneId: lane.id,
    lane: lane.name,
    base: services.door.pagePath(meeting, lane),
    target,
    texts: pageTexts(t, lane.name, target),
    rosterKey: services.door.rosterSigner.publicJwk,
    organizer: services.meetings.isOrganizer(meeting, ctx.user),
    wecom: services.config.WECOM_CORP_ID && services.jsapi.has('wecom') ? { corpId: services.config.WECOM_CORP_ID, agentId: services.config.WECOM_AGENT_ID ?? null } : null,
    dingtalk: dingTalkJsapi(services),
  };
  // JSON in a non-executed script block: `<` escaped so the data cannot close the element.
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  const title = t.t('door.page.title', { id: meeting.id, lane: lane.name });
  const body = `
<div id="door" class="door">
  <header><h1>${escapeHtml(title)}</h1><div id="net" class="net" data-testid="net"></div><button id="sign-out" type="button" class="link">${escapeHtml(t.t('console.page.signOut'))}</button></header>
  <div id="verdict" class="verdict idle" data-testid="verdict" aria-live="assertive"><div class="v-title">${escapeHtml(t.t('door.page.ready'))}</div></div>
  <label class="wedge"><span>${escapeHtml(t.t('door.page.wedge'))}</span><input id="wedge" data-testid="wedge" autocomplete="off" autocapitalize="off" spellcheck="false" autofocus></label>
  <div class="tools"><button id="camera" type="button">${escapeHtml(t.t('door.page.camera'))}</button><button id="platform-scan" type="button" hidden>${escapeHtml(t.t('door.page.platformScan'))}</button></div>
  <video id="video" playsinline muted hidden></video><canvas id="frame" hidden></canvas>
  <div id="status" class="status" data-testid="status"></div>
  <div id="rates" class="rates" data-testid="rates"></div>
  <details class="exceptions"><summary>${escapeHtml(t.t('door.page.exceptions'))}</summary>
    <input id="search" data-testid="search" placeholder="${escapeHtml(t.t('door.page.searchHint'))}">
    <input id="reason" data-testid="reason" placeholder="${escapeHtml(t.t('door.page.reason'))}">
    <ul id="hits" data-testid="hits"></ul>
    <div class="walkin"><input id="walkin-name" data-testid="walkin-name" placeholder="${escapeHtml(t.t('door.page.walkinName'))}"><input id="walkin-note" placeholder="${escapeHtml(t.t('door.page.walkinNote'))}"><button id="walkin-send" type="button">${escapeHtml(t.t('door.page.walkinSend'))}</button><div id="walkin-state" data-testid="walkin-state"></div></div>
  </details>
</div>
<script type="application/json" id="door-data">${json}</script>`;
  const platformScripts = `${data.wecom ? '<script src="/checkin/static/wecom.js" defer></script>' : ''}${data.dingtalk ? '<script src="/console/static/dingtalk.open.js" defer></script>' : ''}`;
  const head = `<link rel="icon" href="data:,"><link rel="stylesheet" href="/checkin/static/checkin.css"><script src="/checkin/static/jsqr.js" defer></script>${platformScripts}<script src="/checkin/static/checkin.js" defer></script>`;
  return renderPage(t, { title, body, head, csrf });
}

export async function checkinPages(app: FastifyInstance, services: Services): Promise<void> {
  const files = new Map(Object.entries(STATIC).map(([name, [type, path]]) => [name, { type, body: readFileSync(path()) }]));
  app.get<{ Params: { file: string } }>('/checkin/static/:file', async (request, reply) => {
    const file = files.get(request.params.file);
    if (!file) return reply.code(404).send({ error: 'not found' });
    return reply.header('content-type', file.type).header('cache-control', 'public, max-age=300').header('x-content-type-options', 'nosniff').send(file.body);
  });

  // The offline copy of a scanner page (static/checkin-sw.js): at /checkin/ so a page may register
  // it with its own path as the scope. Revalidated on every load, so a new version takes over.
  const serviceWorker = readFileSync(join(here, 'static', 'checkin-sw.js'));
  app.get('/checkin/sw.js', async (_request, reply) =>
    reply.header('content-type', 'text/javascript; charset=utf-8').header('cache-control', 'no-cache').header('x-content-type-options', 'nosniff').send(serviceWorker),
  );

  const guard = { preHandler: pageUser(services) };
  app.get('/checkin/:meeting/:lane', guard, async (request, reply) => {
    const resolved = await resolve(services, request, reply);
    if (!resolved) return reply;
    return sendPage(reply, pageHtml(services, resolved.ctx, request.pageUser!.csrf));
  });

  const api = (path: string) => `/checkin/:meeting/:lane/api/${path}`;
  app.get(api('roster'), guard, route(services, ({ ctx }) => services.door.signedRoster(ctx)));
  app.post(api('scan'), guard, route(services, ({ ctx }, request) => services.door.scan(ctx, scanInput(request.body))));
  app.post(api('sync'), guard, route(services, async ({ ctx }, request) => {
    const scans = ((request.body as { scans?: unknown[] } | undefined)?.scans ?? []).slice(0, MAX_SYNC + 1).map(scanInput);
    return { outcomes: await services.door.sync(ctx, scans) };
  }));
  app.get(api('rates'), guard, route(services, async ({ ctx }) => {
    const stats = await services.meetingStats.compute(ctx.meeting.id, new Date());
    return { lanes: stats.lanes ?? [], arrived: stats.arrived, confirmed: stats.yes, target: services.config.HUIWU_CHECKIN_TARGET_PER_MINUTE };
  }));
  // JS-SDK signatures for WeCom's `ww.register` and DingTalk's `dd.config`, only for our own scanner
  // pages (not a signing service for any URL). `fresh=1`: the page's dd.config failed, try a new ticket.
  app.get(api('jsapi'), guard, route(services, async ({ ctx }, request) => {
    const q = request.query as { platform?: string; kind?: string; url?: string; fresh?: string };
    const platform = q.platform === 'dingtalk' ? 'dingtalk' : 'wecom';
    const kind = q.kind === 'agent' && platform === 'wecom' ? 'agent' : 'corp';
    const url = String(q.url ?? '');
    const refused = platform === 'dingtalk' ? 'E_DOOR_JSAPI_DINGTALK' : 'E_DOOR_JSAPI_URL';
    if (!url.startsWith(`${services.pageAccess.baseUrl}${services.door.pagePath(ctx.meeting, ctx.lane)}`)) throw new UserError(refused);
    if (platform === 'dingtalk' && !dingTalkJsapi(services)) throw new UserError(refused);
    const signature = await services.jsapi.signature(platform, kind, url, q.fresh === '1');
    if (!signature) throw new UserError(refused);
    return signature;
  }));
  app.get(api('search'), guard, route(services, async ({ ctx }, request) => ({ hits: await services.doorDesk.search(ctx.meeting, String((request.query as { q?: string }).q ?? '').slice(0, 40)) })));
  app.post(api('manual'), guard, route(services, ({ ctx }, request) => {
    const b = (request.body ?? {}) as { scanId?: string; attendeeId?: number; reason?: string };
    return services.doorDesk.admitManually(ctx, String(b.scanId ?? ''), Number(b.attendeeId), b.reason);
  }));
  app.post(api('mismatch'), guard, route(services, ({ ctx }, request) => {
    const b = (request.body ?? {}) as { scanId?: string; attendeeId?: number; admit?: boolean; reason?: string };
    return services.doorDesk.mismatch(ctx, String(b.scanId ?? ''), Number(b.attendeeId), b.admit === true, b.reason);
  }));
  app.post(api('walkin'), guard, route(services, async ({ ctx }, request) => {
    const b = (request.body ?? {}) as { name?: string; note?: string };
    return { id: await services.doorDesk.requestWalkin(ctx, String(b.name ?? ''), b.note) };
  }));
  app.get(api('walkin/:id'), guard, route(services, async ({ ctx }, request) => {
    const row = await services.doorDesk.walkin(ctx.meeting.id, Number((request.params as { id: string }).id));
    return row ? { id: row.id, status: row.status, name: row.name } : { error: 'not found' };
  }));
  app.post(api('walkin/:id/decide'), guard, route(services, async ({ ctx }, request) => {
    const approve = (request.body as { approve?: boolean } | undefined)?.approve === true;
    return services.doorDesk.decideWalkin(Number((request.params as { id: string }).id), ctx.user, approve);
  }));
}

export { CSRF_HEADER };
