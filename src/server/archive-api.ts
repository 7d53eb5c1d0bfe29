/**
 * Archive packs in the admin API (behind its bearer token; the acting user `X-Huiwu-User` must be
 * an organizer of the meeting):
 *
 *   GET /api/meetings/:id/archives        [{id, createdAt, size, sha256, builtBy, forcedReason, openItems, downloads}]
 *   GET /api/archives/:id                 the decrypted zip (logged as a download via admin-api)
 *   GET /api/archives/:id/downloads       [{userId, via, at}]
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Translator } from '../i18n/translator.js';
import type { MeetingRow } from '../services/meetings.js';
import type { Services } from '../services/services.js';
import { parseId } from './http-error.js';
import { noteRefusal } from './refusal-log.js';

export async function archiveRoutes(app: FastifyInstance, services: Services): Promise<void> {
  /** The acting organizer of `meetingId` with their language, or a 4xx reply already sent. */
  async function scope(request: FastifyRequest, reply: FastifyReply, meetingId: number): Promise<{ meeting: MeetingRow; actorId: string; t: Translator } | null> {
    const actorId = request.headers['x-huiwu-user'];
    const actor = typeof actorId === 'string' && actorId ? await services.directory.user(actorId) : null;
    const t = actor ? await services.locales.forUser(actor.id) : services.locales.translator();
    if (!actor) {
      await reply.code(400).send({ error: t.t('adminApi.actorMissing') });
      return null;
    }
    const meeting = await services.meetings.get(meetingId);
    if (!meeting) {
      await reply.code(404).send({ error: t.t('adminApi.meetingNotFound', { meeting: String(meetingId) }) });
      return null;
    }
    if (!services.meetings.isOrganizer(meeting, actor)) {
      noteRefusal(request, 'admin-not-organizer', 'admin API: not an organizer', { actorId: actor.id, meetingId });
      await reply.code(403).send({ error: t.t('adminApi.notOrganizer', { actor: actor.id, id: meetingId }) });
      return null;
    }
    return { meeting, actorId: actor.id, t };
  }

  /** The pack and its organizer scope, or a 4xx reply already sent. */
  async function packScope(request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) {
    const pack = await services.archive.get(parseId(request.params.id, 'the pack id'));
    if (!pack || pack.removedAt) {
      const actorId = request.headers['x-huiwu-user'];
      const t = typeof actorId === 'string' && actorId ? await services.locales.forUser(actorId) : services.locales.translator();
      await reply.code(404).send({ error: t.t('archive.page.notFound', { pack: request.params.id }) });
      return null;
    }
    const s = await scope(request, reply, pack.meetingId);
    return s ? { ...s, pack } : null;
  }

  app.get<{ Params: { id: string } }>('/meetings/:id/archives', async (request, reply) => {
    const s = await scope(request, reply, parseId(request.params.id, 'the meeting id'));
    if (!s) return reply;
    const packs = await services.archive.list(s.meeting.id);
    return Promise.all(
      packs.map(async (p) => ({
        id: p.id,
        createdAt: p.createdAt.toISOString(),
        size: p.size,
        sha256: p.sha256,
        builtBy: p.builtBy,
        forcedReason: p.forcedReason,
        openItems: p.openItems,
        downloads: (await services.archive.downloads(p.id)).length,
      })),
    );
  });

  app.get<{ Params: { id: string } }>('/archives/:id', async (request, reply) => {
    const s = await packScope(request, reply);
    if (!s) return reply;
    const opened = await services.archive.open(s.pack, s.actorId, 'admin-api');
    return reply
      .header('content-type', 'application/zip')
      .header('content-length', String(opened.size))
      .header('content-disposition', `attachment; filename="${opened.name}"`)
      .header('x-content-sha256', s.pack.sha256)
      .send(opened.stream);
  });

  app.get<{ Params: { id: string } }>('/archives/:id/downloads', async (request, reply) => {
    const s = await packScope(request, reply);
    if (!s) return reply;
    return (await services.archive.downloads(s.pack.id)).map((d) => ({ userId: d.userId, via: d.via, at: d.createdAt.toISOString() }));
  });
}
