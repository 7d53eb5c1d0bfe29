/**
 * Where adapters hand over normalized events. The platform's event id becomes the job id
 * (BullMQ drops a second add while the job exists) and, once processed, a database row
 * (so a redelivery days later is still recognised).
 */
import type { Queue, QueueEvents } from 'bullmq';
import type { PrismaClient } from '../db/client.js';
import type { CardActionEvent, CardActionOutcome, InboundEvent, InboundSink } from '../platforms/types.js';
import type { InboundSeal } from './inbound-seal.js';
import { jobIdPart, type InboundJob } from './queues.js';

export function inboundKey(event: InboundEvent): string {
  return `${event.platform}:${event.eventId}`;
}

export class QueueInboundSink implements InboundSink {
  constructor(
    private readonly queue: Queue<InboundJob>,
    private readonly events: QueueEvents,
    private readonly seal: InboundSeal,
  ) {}

  async accept(event: InboundEvent): Promise<void> {
    await this.add(event);
  }

  async acceptAndWait(event: CardActionEvent, timeoutMs: number): Promise<CardActionOutcome> {
    const job = await this.add(event);
    const outcome = (await job.waitUntilFinished(this.events, timeoutMs)) as CardActionOutcome | null;
    return outcome ?? { accepted: false, reason: '重复的操作，已忽略' };
  }

  private add(event: InboundEvent) {
    return this.queue.add('event', this.seal.seal(event), {
      jobId: `in-${jobIdPart(inboundKey(event))}`,
      attempts: 3,
      backoff: { type: 'exponential', delay: 500 },
      // Removed at once, failed card actions too: a card's values (anonymous survey answers among
      // them) must not linger in Redis beside the user id, even sealed. Redelivery is caught by
      // the InboundEvent row.
      removeOnComplete: true,
      removeOnFail: event.kind === 'card-action' ? true : { age: 7 * 24 * 3600 },
    });
  }
}

/** Durable de-duplication used by the inbound processor: true when the event was already handled. */
export async function alreadyProcessed(db: PrismaClient, event: InboundEvent): Promise<boolean> {
  return (await db.inboundEvent.findUnique({ where: { id: inboundKey(event) } })) != null;
}

export async function markProcessed(db: PrismaClient, event: InboundEvent): Promise<void> {
  await db.inboundEvent.upsert({ where: { id: inboundKey(event) }, create: { id: inboundKey(event), platform: event.platform, kind: event.kind }, update: {} });
}
