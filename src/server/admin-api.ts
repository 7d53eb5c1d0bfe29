/**
 * The admin HTTP API under /api/: bearer-token authentication (HUIWU_ADMIN_TOKEN) plus the acting
 * user (`X-Huiwu-User: <user id>`), who must be an organizer of the meeting concerned.
 *
 *   POST /api/meetings/:id/attendees/import   text/csv body -> 200 {imported, invited} | 422 {errors}
 *   GET  /api/meetings/:id/attendees.csv      masked; ?pii=full for full phone/ID (logged)
 *   GET  /api/meetings/:id/supplier.csv       counts and needs only
 *   GET  /api/meetings/:id/pii-access-log     who read personal data in full, and when
 *   GET  /api/surveys/:id/results.csv         survey results (no identities for anonymous surveys)
 *   budgets (import, settlement.csv, cost-deviation): see budget-api.ts
 *   archive packs (list, download, download log): see archive-api.ts
 *
 * Ids are `12` or `#12`; anything else is a 400. The token is accepted only in the Authorization
 * header: a `?token=` in the URL is refused (URLs end up in logs, proxies and browser history).
 * Refusals are logged through the server's sampling log (one line per IP and minute).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Translator } from '../i18n/translator.js';
import type { MeetingRow } from '../services/meetings.js';
import { archiveRoutes } from './archive-api.js';
import { budgetRoutes } from './budget-api.js';
import { departmentRoutes } from './departments-api.js';
import { perUserLimit } from './entrances.js';
import { parseId } from './http-error.js';
import { hasSecretParam } from './redact.js';
import { noteRefusal } from './refusal-log.js';
import { bearerOf, tokenEquals } from './simulator-guard.js';
import type { Services } from '../services/services.js';

export interface AdminApiOptions {
  token: string;
  services: Services;
}

export async function adminApi(app: FastifyInstance, opts: AdminApiOptions): Promise<void> {
  const { services } = opts;
  const importer = services.attendeeImport;
  const exporter = services.attendeeExport;

  app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string', bodyLimit: 20 * 1024 * 1024 }, (_req, body, done) => done(null, body));

  app.addHook('onRequest', async (request, reply) => {
    if (hasSecretParam(request.url)) {
      noteRefusal(request, 'admin-token-in-url', 'admin API: credential in the URL refused');
      return reply.code(400).send({ error: services.locales.translator().t('adminApi.tokenInUrl') });
    }
    if (!tokenEquals(bearerOf(request), opts.token)) {
      noteRefusal(request, 'admin-token', 'admin API: missing or wrong bearer token');
      return reply.code(401).send({ error: services.locales.translator().t('adminApi.badToken') });
    }
  });
  // Per acting user, after authentication (an unauthenticated caller cannot spend someone's budget).
  app.addHook('onRequest', perUserLimit(app, services.config.HUIWU_RATE_LIMIT_ADMIN_PER_MINUTE));

  /** The language of the request: the acting user's, else the default. */
  async function readerOf(request: FastifyRequest): Promise<Translator> {
    const actorId = request.headers['x-huiwu-user'];
    return typeof actorId === 'string' && actorId !== '' ? services.locales.forUser(actorId) : services.locales.translator();
  }

  /** The meeting and an organizer acting on it (with their language), or a 4xx reply already sent. */
  async function organizerScope(
    request: FastifyRequest<{ Params: { id: string } }>,
    reply: FastifyReply,
    meetingIdText: string = request.params.id,
  ): Promise<{ meeting: MeetingRow; actorId: string; t: Translator } | null> {
    const t = await readerOf(request);
    const actorId = request.headers['x-huiwu-user'];
    if (typeof actorId !== 'string' || actorId === '') {
      await reply.code(400).send({ error: t.t('adminApi.actorMissing') });
      return null;
    }
    const id = parseId(meetingIdText, 'the meeting id');
    const meeting = await services.meetings.get(id);
    if (!meeting) {
      await reply.code(404).send({ error: t.t('adminApi.meetingNotFound', { meeting: meetingIdText }) });
      return null;
    }
    const actor = await services.directory.user(actorId);
    if (!actor || !services.meetings.isOrganizer(meeting, actor)) {
      noteRefusal(request, 'admin-not-organizer', 'admin API: not an organizer', { actorId, meetingId: id });
      await reply.code(403).send({ error: t.t('adminApi.notOrganizer', { actor: actorId, id }) });
      return null;
    }
    return { meeting, actorId, t };
  }

  app.post<{ Params: { id: string }; Body: string }>('/meetings/:id/attendees/import', async (request, reply) => {
    const scope = await organizerScope(request, reply);
    if (!scope) return reply;
    const { t } = scope;
    if (typeof request.body !== 'string') return reply.code(415).send({ error: t.t('adminApi.csvExpected') });
    if (scope.meeting.status !== 'scheduled') return reply.code(409).send({ error: t.t('errors.E_MEETING_CANCELLED', { id: scope.meeting.id }) });
    const result = await importer.importCsv(t, scope.meeting, request.body, scope.actorId);
    if (!result.ok) return reply.code(422).send({ error: t.t('adminApi.importRefused'), errors: result.problems });
    return { imported: result.imported, invited: result.invited };
  });

  app.get<{ Params: { id: string }; Querystring: { pii?: string } }>('/meetings/:id/attendees.csv', async (request, reply) => {
    const scope = await organizerScope(request, reply);
    if (!scope) return reply;
    const full = request.query.pii === 'full';
    const csv = await exporter.attendeeList(scope.t, scope.meeting, { full, actorId: scope.actorId });
    if (full) services.log.info({ actorId: scope.actorId, meetingId: scope.meeting.id }, 'full personal data exported');
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="meeting-${scope.meeting.id}-attendees.csv"`)
      .send(csv);
  });

  app.get<{ Params: { id: string } }>('/meetings/:id/supplier.csv', async (request, reply) => {
    const scope = await organizerScope(request, reply);
    if (!scope) return reply;
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="meeting-${scope.meeting.id}-supplier.csv"`)
      .send(await exporter.supplier(scope.t, scope.meeting));
  });

  app.get<{ Params: { id: string } }>('/surveys/:id/results.csv', async (request, reply) => {
    const survey = await services.surveys.get(parseId(request.params.id, 'the survey id'));
    if (!survey) return reply.code(404).send({ error: (await readerOf(request)).t('adminApi.surveyNotFound', { survey: request.params.id }) });
    const scope = await organizerScope(request, reply, String(survey.meetingId));
    if (!scope) return reply;
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="survey-${survey.id}-results.csv"`)
      .send(await services.surveyReport.csv(survey, await services.locales.forUser(scope.actorId)));
  });

  app.get<{ Params: { id: string } }>('/meetings/:id/pii-access-log', async (request, reply) => {
    const scope = await organizerScope(request, reply);
    if (!scope) return reply;
    return (await exporter.accessLog(scope.meeting.id)).map((e) => ({ userId: e.userId, kind: e.kind, rows: e.rows, at: e.createdAt.toISOString() }));
  });

  await departmentRoutes(app, services);
  await budgetRoutes(app, services);
  await archiveRoutes(app, services);
}
