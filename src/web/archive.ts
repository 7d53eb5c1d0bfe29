/**
 * `GET /archive/packs/<id>`: the decrypted archive pack as a download, for a signed-in organizer of
 * its meeting (the bot DMs a single-use sign-in link that lands here). Every download is logged by
 * ArchiveService.open; refusals are pages saying why.
 */
import type { FastifyInstance } from 'fastify';
import { noteRefusal } from '../server/refusal-log.js';
import type { Services } from '../services/services.js';
import { noticePage } from './html.js';
import { pageUser, sendPage } from './sign-in.js';

export async function archivePages(app: FastifyInstance, services: Services): Promise<void> {
  app.get<{ Params: { id: string } }>('/archive/packs/:id', { preHandler: pageUser(services) }, async (request, reply) => {
    const { t, id: userId } = request.pageUser!;
    const refuse = (status: number, key: string, params: Record<string, string | number> = {}) =>
      sendPage(reply, noticePage(t, t.t('archive.page.refusedTitle'), [t.t(key, params)]), status);
    const packId = /^\d{1,9}$/.test(request.params.id) ? Number(request.params.id) : null;
    const pack = packId === null ? null : await services.archive.get(packId);
    if (!pack || pack.removedAt) return refuse(404, 'archive.page.notFound', { pack: request.params.id });
    const meeting = await services.meetings.get(pack.meetingId);
    const user = await services.directory.user(userId);
    if (!meeting || !user || !services.meetings.isOrganizer(meeting, user)) {
      noteRefusal(request, 'archive-not-organizer', 'archive download by a non-organizer', { user: userId, pack: pack.id });
      return refuse(403, 'archive.page.notOrganizer', { id: pack.meetingId });
    }
    const opened = await services.archive.open(pack, userId, 'link');
    return reply
      .header('content-type', 'application/zip')
      .header('content-length', String(opened.size))
      .header('content-disposition', `attachment; filename="${opened.name}"`)
      .header('cache-control', 'no-store')
      .header('x-content-sha256', pack.sha256)
      .send(opened.stream);
  });
}
