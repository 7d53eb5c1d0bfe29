/**
 * Archive packs in the admin API (behind its bearer token; the acting user `X-Huiwu-User` must be
 * an organizer of the meeting):
 *
 *   GET /api/meetings/:id/archives        [{id, createdAt, size, sha256, builtBy, forcedReason, openItems, downloads}]
 *   GET /api/archives/:id                 the decrypted zip (logged as a download via admin-api)
 *   GET /api/archives/:id/downloads       [{userId, via, at}]
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../services/services.js';
import { parseId } from './http-error.js';
import { type ActingRule, actingScope } from './acting-scope.js';

export async function archiveRoutes(app: FastifyInstance, services: Services): Promise<void> {
  const organizers: ActingRule = {
    allowed: (meeting, actor) => services.meetings.isOrganizer(meeting, actor),
    refusalNote: 'admin API: not an organizer',
    refusal: (t, meeting, actor) => t.t('adminApi.notOrganizer', { actor: actor.id, id: meeting.id }),
  };
  const scope = (request: FastifyRequest, reply: FastifyReply, meetingId: number) => actingScope(services, request, reply, String(meetingId), organizers);

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
    const opened = await services.archive.open(s.pack, s.actor.id, 'admin-api');
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
