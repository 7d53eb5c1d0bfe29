/**
 * The admin API's acting user (`X-Huiwu-User`) on one meeting: who they are, in which language they
 * are answered, and whether they may act on it. Refusals are sent here (400 no known actor, 404 no
 * such meeting, 403 not allowed and noted in the sampled refusal log).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Translator } from '../i18n/translator.js';
import type { UserRecord } from '../services/directory.js';
import type { MeetingRow } from '../services/meetings.js';
import type { Services } from '../services/services.js';
import { parseId } from './http-error.js';
import { noteRefusal } from './refusal-log.js';

export interface ActingScope {
  meeting: MeetingRow;
  actor: UserRecord;
  t: Translator;
}

export interface ActingRule {
  allowed(meeting: MeetingRow, actor: UserRecord): boolean;
  /** What the refusal log says, and the 403's message in the actor's language. */
  refusalNote: string;
  refusal(t: Translator, meeting: MeetingRow, actor: UserRecord): Promise<string> | string;
}

/** The scope, or null once a 4xx reply has been sent. `meetingIdText` is parsed after the actor is known. */
export async function actingScope(services: Services, request: FastifyRequest, reply: FastifyReply, meetingIdText: string, rule: ActingRule): Promise<ActingScope | null> {
  const actorId = request.headers['x-huiwu-user'];
  const actor = typeof actorId === 'string' && actorId ? await services.directory.user(actorId) : null;
  const t = actor ? await services.locales.forUser(actor.id) : services.locales.translator();
  if (!actor) {
    await reply.code(400).send({ error: t.t('adminApi.actorMissing') });
    return null;
  }
  const meeting = await services.meetings.get(parseId(meetingIdText, 'the meeting id'));
  if (!meeting) {
    await reply.code(404).send({ error: t.t('adminApi.meetingNotFound', { meeting: meetingIdText }) });
    return null;
  }
  if (!rule.allowed(meeting, actor)) {
    noteRefusal(request, 'admin-not-organizer', rule.refusalNote, { actorId: actor.id, meetingId: meeting.id });
    await reply.code(403).send({ error: await rule.refusal(t, meeting, actor) });
    return null;
  }
  return { meeting, actor, t };
}
