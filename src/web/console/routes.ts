/**
 * The organizer console under `/console`: the list of a person's meetings, one meeting's page, its
 * data routes (KPIs and charts, boards), a server-sent event stream of changes, and the three
 * actions. Every route is behind `pageUser` (session; CSRF on POST); every meeting route checks
 * that the session's user organizes the meeting or is an admin. Searches and names travel in POST
 * bodies, never in URLs, so no personal data reaches a log line.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CodedError, UserError } from '../../errors.js';
import type { Translator } from '../../i18n/translator.js';
import { noteRefusal } from '../../server/refusal-log.js';
import type { AttendeeFilter } from '../../services/console.js';
import type { UserRecord } from '../../services/directory.js';
import type { MeetingRow } from '../../services/meetings.js';
import type { Services } from '../../services/services.js';
import { noticePage } from '../html.js';
import { platformSignInRoutes } from '../platform-sign-in.js';
import { type PageUser, pageUser, sendPage } from '../sign-in.js';
import { meetingPage, meetingsPage } from './pages.js';
import { attendeeRowView, incidentRowView, meetingDataView, taskRowView, tileView } from './view.js';

const STATIC: Record<string, { file: string; type: string; cache: string }> = {
  'console.js': { file: new URL('./static/console.js', import.meta.url).pathname, type: 'text/javascript; charset=utf-8', cache: 'no-cache' },
  'console.css': { file: new URL('./static/console.css', import.meta.url).pathname, type: 'text/css; charset=utf-8', cache: 'no-cache' },
  // Served by us from the package: the page's policy allows our own scripts only, no CDN.
  'echarts.min.js': { file: createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js'), type: 'text/javascript; charset=utf-8', cache: 'public, max-age=86400' },
  'dingtalk-sign-in.js': { file: new URL('./static/dingtalk-sign-in.js', import.meta.url).pathname, type: 'text/javascript; charset=utf-8', cache: 'no-cache' },
};

/**
 * DingTalk's JSAPI (`dd.getAuthCode` for in-app sign-in) from its npm package, bundled for the
 * browser once on first request: the package ships CommonJS modules, and the page may load our own
 * scripts only (no alicdn). If bundling fails the start page says to use the 控制台 link.
 */
let dingtalkJsapi: Promise<Buffer | null> | undefined;
function dingtalkJsapiBundle(): Promise<Buffer | null> {
  dingtalkJsapi ??= import('esbuild')
    .then(({ build }) =>
      build({ stdin: { contents: "window.dd = require('dingtalk-jsapi');", resolveDir: process.cwd() }, bundle: true, format: 'iife', minify: true, write: false, platform: 'browser', logLevel: 'silent' }),
    )
    .then((result) => Buffer.from(result.outputFiles[0]!.contents))
    .catch(() => null);
  return dingtalkJsapi;
}

/** Open event streams per user: a page each on a few devices, not a flood. */
const MAX_STREAMS_PER_USER = 8;
const KEY = /^[A-Za-z0-9_-]{8,64}$/;

type MeetingRequest = FastifyRequest<{ Params: { id: string } }>;

/** The directory's record of the session's user; someone the platform vouched for but never seen has no roles. */
async function userOf(services: Services, page: PageUser): Promise<UserRecord> {
  const known = await services.directory.user(page.id);
  if (known) return known;
  const [platform = '', ...rest] = page.id.split(':');
  return { id: page.id, platform, externalId: rest.join(':'), name: page.name, roles: [], department: null, locale: null };
}

function statusOf(error: CodedError): number {
  if (error.code === 'E_CONSOLE_MEETING_NOT_FOUND') return 404;
  if (error.code === 'E_CONSOLE_NOT_ORGANIZER' || error.code === 'E_CHECKIN_ORGANIZER_ONLY' || error.code === 'E_CONSOLE_NOT_ALLOWED') return 403;
  return 422;
}

/** A coded refusal as a page (HTML requests) or JSON; anything else goes to the server's error handler. */
function refuse(request: FastifyRequest, reply: FastifyReply, t: Translator, error: unknown, asPage: boolean): FastifyReply {
  if (!(error instanceof CodedError)) throw error;
  const status = statusOf(error);
  if (status === 403) noteRefusal(request, 'console-forbidden', 'console: not an organizer of the meeting', { user: request.pageUser?.id });
  const text = t.t(error.key, error.params);
  if (asPage) return sendPage(reply, noticePage(t, t.t(error.code === 'E_CONSOLE_NOT_ALLOWED' ? 'console.refused.notAllowedTitle' : 'console.refused.title'), [text]), status);
  return reply.code(status).header('cache-control', 'no-store').send({ error: text });
}

export async function consolePages(app: FastifyInstance, services: Services): Promise<void> {
  await platformSignInRoutes(app, services);
  const guard = pageUser(services);
  const streams = new Map<string, number>();
  const cache = new Map<string, Buffer>();

  app.get<{ Params: { name: string } }>('/console/static/:name', async (request, reply) => {
    if (request.params.name === 'dingtalk.open.js') {
      const bundle = await dingtalkJsapiBundle();
      if (!bundle) return reply.code(404).send({ error: 'not found' });
      return reply.header('content-type', 'text/javascript; charset=utf-8').header('cache-control', 'public, max-age=86400').header('x-content-type-options', 'nosniff').send(bundle);
    }
    const entry = STATIC[request.params.name];
    if (!entry?.file) return reply.code(404).send({ error: 'not found' });
    let body = cache.get(entry.file);
    if (!body) cache.set(entry.file, (body = readFileSync(entry.file)));
    return reply.header('content-type', entry.type).header('cache-control', entry.cache).header('x-content-type-options', 'nosniff').send(body);
  });

  /** The meeting of a request if the session's user may see it, else the refusal already sent. */
  async function meetingOf(request: MeetingRequest, reply: FastifyReply, asPage = false): Promise<{ meeting: MeetingRow; user: UserRecord; t: Translator } | null> {
    const page = request.pageUser!;
    const user = await userOf(services, page);
    try {
      return { meeting: await services.console.meetingFor(user, Number(request.params.id)), user, t: page.t };
    } catch (error) {
      refuse(request, reply, page.t, error, asPage);
      return null;
    }
  }

  app.get('/console', { preHandler: guard }, async (request, reply) => {
    const page = request.pageUser!;
    const user = await userOf(services, page);
    if (!(await services.console.mayUse(user))) return refuse(request, reply, page.t, new UserError('E_CONSOLE_NOT_ALLOWED'), true);
    const now = services.clock();
    const meetings = await services.console.meetingsOf(user, 20);
    const entries = [];
    for (const meeting of meetings) entries.push({ meeting, tiles: (await services.meetingKpis.compute(meeting, now)).kpis.map((k) => tileView(page.t, k)) });
    return sendPage(reply, meetingsPage(page.t, entries, user.roles.includes('admin'), page.csrf));
  });

  app.get<{ Params: { id: string } }>('/console/meetings/:id', { preHandler: guard }, async (request, reply) => {
    const scope = await meetingOf(request, reply, true);
    if (!scope) return reply;
    return sendPage(reply, meetingPage(scope.t, scope.meeting, request.pageUser!.csrf));
  });

  app.get<{ Params: { id: string } }>('/console/api/meetings/:id', { preHandler: guard }, async (request, reply) => {
    const scope = await meetingOf(request, reply);
    if (!scope) return reply;
    const data = await services.meetingKpis.compute(scope.meeting, services.clock());
    return reply.header('cache-control', 'no-store').send(meetingDataView(scope.t, scope.meeting, data, services.config.HUIWU_CHECKIN_TARGET_PER_MINUTE));
  });

  app.post<{ Params: { id: string }; Body: AttendeeFilter }>(
    '/console/api/meetings/:id/attendees',
    {
      preHandler: guard,
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            q: { type: 'string', maxLength: 100 },
            answer: { type: 'string', enum: ['', 'yes', 'no', 'maybe', 'pending', 'noAccount'] },
            meal: { type: 'string', enum: ['', 'none', 'vegetarian', 'halal', 'other'] },
            room: { type: 'string', enum: ['', 'yes', 'no'] },
            checkedIn: { type: 'string', enum: ['', 'yes', 'no'] },
            page: { type: 'integer', minimum: 0, maximum: 100000 },
          },
        },
      },
    },
    async (request, reply) => {
      const scope = await meetingOf(request, reply);
      if (!scope) return reply;
      const filter = Object.fromEntries(Object.entries(request.body ?? {}).filter(([, v]) => v !== '')) as AttendeeFilter;
      const board = await services.console.attendees(scope.meeting.id, filter);
      const pages = Math.max(1, Math.ceil(board.total / board.pageSize));
      return reply.header('cache-control', 'no-store').send({ total: board.total, page: board.page, pages, rows: board.rows.map((r) => attendeeRowView(scope.t, r)) });
    },
  );

  app.get<{ Params: { id: string } }>('/console/api/meetings/:id/incidents', { preHandler: guard }, async (request, reply) => {
    const scope = await meetingOf(request, reply);
    if (!scope) return reply;
    const rows = await services.console.incidentBoard(scope.meeting.id);
    const names = await services.console.names(rows.map((r) => r.ownerId));
    const now = services.clock();
    return reply.header('cache-control', 'no-store').send({ now: now.toISOString(), rows: rows.map((r) => incidentRowView(scope.t, r, names, now)) });
  });

  app.get<{ Params: { id: string } }>('/console/api/meetings/:id/tasks', { preHandler: guard }, async (request, reply) => {
    const scope = await meetingOf(request, reply);
    if (!scope) return reply;
    const now = services.clock();
    const [groups, checklist] = await Promise.all([services.console.taskBoard(scope.meeting.id, now), services.console.checklistItems(scope.meeting.id, now)]);
    const names = await services.console.names([...groups.flatMap((g) => g.tasks.map((t) => t.assigneeId)), ...checklist.map((t) => t.assigneeId)]);
    return reply.header('cache-control', 'no-store').send({
      departments: groups.map((g) => ({ name: g.department ?? scope.t.t('console.noDepartment'), tasks: g.tasks.map((task) => taskRowView(scope.t, task, names)) })),
      checklist: checklist.map((task) => taskRowView(scope.t, task, names)),
    });
  });

  // Changes of the meeting as server-sent events; the browser reconnects by itself (retry: 1 s).
  app.get<{ Params: { id: string } }>('/console/api/meetings/:id/events', { preHandler: guard }, async (request, reply) => {
    const scope = await meetingOf(request, reply);
    if (!scope) return reply;
    const userId = scope.user.id;
    if ((streams.get(userId) ?? 0) >= MAX_STREAMS_PER_USER) {
      noteRefusal(request, 'console-streams', 'console: too many open event streams', { user: userId });
      return reply.code(429).send({ error: 'too many open pages' });
    }
    streams.set(userId, (streams.get(userId) ?? 0) + 1);
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    reply.raw.write('retry: 1000\n: connected\n\n');
    const off = services.consoleFeed.subscribe(scope.meeting.id, (kinds) => reply.raw.write(`event: change\ndata: ${JSON.stringify({ kinds })}\n\n`));
    const keepAlive = setInterval(() => reply.raw.write(': ping\n\n'), 15_000);
    request.raw.on('close', () => {
      clearInterval(keepAlive);
      off();
      const left = (streams.get(userId) ?? 1) - 1;
      if (left <= 0) streams.delete(userId);
      else streams.set(userId, left);
    });
  });

  app.post<{ Params: { id: string }; Body: { key: string } }>(
    '/console/api/meetings/:id/follow-up',
    { preHandler: guard, schema: { body: { type: 'object', required: ['key'], additionalProperties: false, properties: { key: { type: 'string', pattern: KEY.source } } } } },
    async (request, reply) => {
      const scope = await meetingOf(request, reply);
      if (!scope) return reply;
      try {
        const count = await services.console.followUp(scope.user, scope.meeting, request.body.key);
        return { count, message: scope.t.t(count === 0 ? 'console.action.followUpNone' : 'console.action.followUpDone', { count }) };
      } catch (error) {
        return refuse(request, reply, scope.t, error, false);
      }
    },
  );

  app.post<{ Params: { id: string }; Body: { name: string } }>(
    '/console/api/meetings/:id/check-in',
    { preHandler: guard, schema: { body: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: { type: 'string', maxLength: 100 } } } } },
    async (request, reply) => {
      const scope = await meetingOf(request, reply);
      if (!scope) return reply;
      try {
        const result = await services.console.checkInByName(scope.user, scope.meeting, request.body.name, services.clock());
        return { ...result, message: scope.t.t(result.already ? 'console.action.checkInAlready' : 'console.action.checkInDone', { name: result.name, at: result.at }) };
      } catch (error) {
        return refuse(request, reply, scope.t, error, false);
      }
    },
  );

  app.post<{ Params: { id: string }; Body: { full?: boolean } }>(
    '/console/api/meetings/:id/attendees.csv',
    { preHandler: guard, schema: { body: { type: 'object', additionalProperties: false, properties: { full: { type: 'boolean' } } } } },
    async (request, reply) => {
      const scope = await meetingOf(request, reply);
      if (!scope) return reply;
      const full = request.body?.full === true;
      try {
        const csv = await services.console.exportCsv(scope.user, scope.meeting, full, scope.t);
        if (full) services.log.info({ actorId: scope.user.id, meetingId: scope.meeting.id, via: 'console' }, 'full personal data exported');
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('cache-control', 'no-store')
          .header('content-disposition', `attachment; filename="meeting-${scope.meeting.id}-attendees${full ? '-full' : ''}.csv"`)
          .send(csv);
      } catch (error) {
        return refuse(request, reply, scope.t, error, false);
      }
    },
  );
}
