/**
 * Where adapters hand over normalized events. The platform's event id becomes the job id
 * (BullMQ drops a second add while the job exists) and, once processed, a database row
 * (so a redelivery days later is still recognised).
 *
 * Accepting means "in Redis": while Redis is unreachable (or does not answer within a few
 * seconds) `accept` throws an UnavailableError at once, the entrance answers 503 (or leaves the
 * frame un-acked) and the platform delivers the event again later. Nothing is half-accepted: an
 * add that lands after the timeout is de-duplicated with the redelivery by its job id.
 */
import type { Queue, QueueEvents } from 'bullmq';
import type { Logger } from 'pino';
import type { PrismaClient } from '../db/client.js';
import { sqliteDate, sqliteDirect } from '../db/sqlite-direct.js';
import type { CardActionEvent, CardActionOutcome, InboundEvent, InboundSink } from '../platforms/types.js';
import { UnavailableError } from '../server/http-error.js';
import type { LocaleService } from '../services/locales.js';
import { KEEP_JOBS, jobIdPart, type InboundJob } from './queues.js';

/** How long an add may take before the event is refused (the platform re-sends it). */
const ACCEPT_TIMEOUT_MS = 3000;
import type { InboundSeal } from './inbound-seal.js';
import type { SenderBudget } from './sender-budget.js';

export function inboundKey(event: InboundEvent): string {
  return `${event.platform}:${event.eventId}`;
}

export class QueueInboundSink implements InboundSink {
  constructor(
    private readonly queue: Queue<InboundJob>,
    private readonly events: QueueEvents,
    private readonly locales: Pick<LocaleService, 'forUser'>,
    private readonly seal: InboundSeal,
    /** False while the Redis connection is down: events are refused at once instead of waiting. */
    private readonly redisReady: () => boolean = () => true,
    /** Messages per minute per person; the first one beyond is answered with the reason and logged, the rest of the minute dropped (acknowledged, so never re-sent). */
    private readonly budget?: { senders: SenderBudget; log: Pick<Logger, 'warn'> },
  ) {}

  async accept(event: InboundEvent): Promise<void> {
    if (event.kind === 'message' && this.budget) {
      const verdict = this.budget.senders.take(event.userId);
      if (verdict === 'refused') return;
      if (verdict === 'first-refusal') {
        this.budget.log.warn({ kind: 'rate-sender', userId: event.userId, platform: event.platform }, 'messages per minute of one person exceeded; more are dropped until the minute is over');
        // The first one over is answered with the reason (once a minute), so nothing is dropped unexplained.
        await this.add({ ...event, overBudget: { perMinute: this.budget.senders.perMinute } });
        return;
      }
    }
    await this.add(event);
  }

  async acceptAndWait(event: CardActionEvent, timeoutMs: number): Promise<CardActionOutcome> {
    const job = await this.add(event);
    const outcome = (await job.waitUntilFinished(this.events, timeoutMs)) as CardActionOutcome | null;
    return outcome ?? { accepted: false, reason: (await this.locales.forUser(event.userId)).t('router.card.duplicate') };
  }

  private async add(event: InboundEvent) {
    if (!this.redisReady()) throw new UnavailableError('the queue store (Redis) is unavailable; deliver the event again later');
    const added = this.queue.add('event', this.seal.seal(event), {
      jobId: `in-${jobIdPart(inboundKey(event))}`,
      attempts: 3,
      backoff: { type: 'exponential', delay: 500 },
      // Removed at once, failed card actions too: a card's values (anonymous survey answers among
      // them) must not linger in Redis beside the user id, even sealed. Redelivery is caught by
      // the InboundEvent row.
      ...KEEP_JOBS.inbound,
      ...(event.kind === 'card-action' ? { removeOnFail: true } : {}),
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new UnavailableError('the queue store (Redis) did not answer; deliver the event again later')), ACCEPT_TIMEOUT_MS);
    });
    added.catch(() => undefined);
    try {
      return await Promise.race([added, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Durable de-duplication used by the inbound processor: true when the event was already handled. */
export async function alreadyProcessed(db: PrismaClient, event: InboundEvent): Promise<boolean> {
  const direct = sqliteDirect(db);
  if (direct) return direct.get('SELECT 1 FROM "InboundEvent" WHERE "id" = ?', inboundKey(event)) !== undefined;
  return (await db.inboundEvent.findUnique({ where: { id: inboundKey(event) } })) != null;
}

export async function markProcessed(db: PrismaClient, event: InboundEvent): Promise<void> {
  const direct = sqliteDirect(db);
  if (direct) {
    direct.run(
      'INSERT INTO "InboundEvent" ("id", "platform", "kind", "createdAt") VALUES (?, ?, ?, ?) ON CONFLICT ("id") DO NOTHING',
      inboundKey(event),
      event.platform,
      event.kind,
      sqliteDate(new Date()),
    );
    return;
  }
  await db.inboundEvent.upsert({ where: { id: inboundKey(event) }, create: { id: inboundKey(event), platform: event.platform, kind: event.kind }, update: { id: inboundKey(event) } });
}
