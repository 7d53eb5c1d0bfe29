/**
 * Shared by the fan-out benchmark (`bench/fanout.ts`) and its integration test: seeding many
 * simulator users in one department, a bounded wait, and the delivery figures of one invitation
 * fan-out read from the database (OutboundMessage = what we sent, SimMessage = what the
 * "platform" received).
 */
import type { PrismaClient } from '../../src/db/client.js';
import { inviteCardId } from '../../src/services/rsvp.js';

/** Creates `count` simulator users in `department`, each with a DM conversation with the bot. */
export async function seedDepartment(db: PrismaClient, department: string, count: number, idPrefix = 'fan'): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `${idPrefix}${String(i + 1).padStart(5, '0')}`);
  for (let i = 0; i < ids.length; i += 500) {
    const slice = ids.slice(i, i + 500);
    await db.user.createMany({
      data: slice.map((id, j) => ({
        id: `simulator:${id}`,
        platform: 'simulator',
        externalId: id,
        name: `参会人${String(i + j + 1).padStart(5, '0')}`,
        roles: '["attendee"]',
        department,
      })),
    });
    await db.conversation.createMany({
      data: slice.map((id, j) => ({
        id: `simulator:dm-${id}`,
        platform: 'simulator',
        externalId: `dm-${id}`,
        name: `参会人${String(i + j + 1).padStart(5, '0')}`,
        type: 'direct',
        memberIds: JSON.stringify([`simulator:${id}`]),
      })),
    });
  }
  await db.department.create({ data: { id: `dept-${department}`, name: department } });
  return ids;
}

/**
 * Polls `check` every `intervalMs` until it returns a value other than undefined/false, or throws
 * after `timeoutMs` naming what it waited for. Used only where there is no event to await (the
 * state lives in another process's SQLite writes).
 */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs: number, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export const inviteOutboundPrefix = (meetingId: number) => `card-inv-m${meetingId}-`;

export async function invitesSent(db: PrismaClient, meetingId: number): Promise<number> {
  return db.outboundMessage.count({ where: { id: { startsWith: inviteOutboundPrefix(meetingId) }, status: 'sent' } });
}

export interface FanoutReport {
  attendees: number;
  /** Invitation OutboundMessage rows by status. */
  byStatus: Record<string, number>;
  /** Cards stored more than once on the platform side (same card id in several SimMessages). */
  duplicateCards: number;
  /** DM conversations holding more than one invitation card of the meeting. */
  duplicateConversations: number;
  /** Attendees whose DM holds no invitation card. */
  lost: string[];
  /** Sends repeated after the crash that the platform's idempotency key (outboundId) absorbed. */
  repeatedSendsAbsorbed: number;
  /** The progress card in the group, as the simulator shows it. */
  progressCard: { body: string; status: string | undefined } | null;
}

/** Delivery figures of a meeting's invitation fan-out. `killedAt` splits before/after a crash. */
export async function fanoutReport(db: PrismaClient, meetingId: number, killedAt?: number): Promise<FanoutReport> {
  const attendees = await db.attendee.findMany({ where: { meetingId }, select: { id: true, userId: true } });
  const outbound = await db.outboundMessage.findMany({
    where: { id: { startsWith: inviteOutboundPrefix(meetingId) } },
    select: { id: true, status: true, sentAt: true },
  });
  const byStatus: Record<string, number> = {};
  for (const o of outbound) byStatus[o.status] = (byStatus[o.status] ?? 0) + 1;
  const delivered = await db.simMessage.findMany({
    where: { cardId: { startsWith: `inv-m${meetingId}-` } },
    select: { cardId: true, conversationId: true, outboundId: true, createdAt: true },
  });
  const count = <K>(keys: K[]) => {
    const m = new Map<K, number>();
    for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
    return m;
  };
  const perCard = count(delivered.map((d) => d.cardId));
  const perConversation = count(delivered.map((d) => d.conversationId));
  const arrived = new Set(delivered.map((d) => `${d.cardId}|${d.conversationId}`));
  const lost = attendees
    .filter((a) => !arrived.has(`${inviteCardId(meetingId, a.id)}|dm-${a.userId!.slice(a.userId!.indexOf(':') + 1)}`))
    .map((a) => a.userId!);
  const sentAt = new Map(outbound.map((o) => [o.id, o.sentAt?.getTime() ?? null]));
  const repeatedSendsAbsorbed =
    killedAt === undefined
      ? 0
      : delivered.filter((d) => {
          const marked = sentAt.get(d.outboundId ?? '');
          // The platform stored it before the crash, but we only recorded it as sent afterwards: the
          // send was repeated after the restart and the idempotency key kept it to one message.
          return d.createdAt.getTime() <= killedAt && marked != null && marked > killedAt;
        }).length;
  const meeting = await db.meeting.findUnique({ where: { id: meetingId } });
  const progress = await db.simMessage.findFirst({
    where: { conversationId: meeting ? meeting.conversationId.slice(meeting.conversationId.indexOf(':') + 1) : '', cardId: { startsWith: `fanout-m${meetingId}-` } },
    orderBy: { id: 'desc' },
  });
  const card = progress?.card ? (JSON.parse(progress.card) as { body?: string; state?: { status?: string } }) : null;
  return {
    attendees: attendees.length,
    byStatus,
    duplicateCards: [...perCard.values()].filter((n) => n > 1).length,
    duplicateConversations: [...perConversation.values()].filter((n) => n > 1).length,
    lost,
    repeatedSendsAbsorbed,
    progressCard: card ? { body: card.body ?? '', status: card.state?.status } : null,
  };
}

/**
 * Subscribes to the simulator's event stream (`GET /sim/api/events`, the page's live updates) of
 * an app running in another process: `onChange` gets the conversation id of every message or
 * card change, as it happens. Resolves once subscribed; `close()` ends the subscription.
 */
export async function watchSimChanges(baseUrl: string, onChange: (conversation: string) => void): Promise<{ close(): void }> {
  const controller = new AbortController();
  const res = await fetch(`${baseUrl}/sim/api/events`, { signal: controller.signal });
  if (!res.ok || !res.body) throw new Error(`event stream failed: ${res.status}`);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  void (async () => {
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const data = buffer.slice(0, end).split('\n').find((l) => l.startsWith('data: '));
          buffer = buffer.slice(end + 2);
          if (data) onChange((JSON.parse(data.slice(6)) as { conversation: string }).conversation);
        }
      }
    } catch {
      // Aborted by close(), or the app was killed: the stream simply ends.
    }
  })();
  return { close: () => controller.abort() };
}
