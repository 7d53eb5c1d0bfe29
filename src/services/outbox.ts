/**
 * The only way anything is sent. A message is first stored with a deterministic id, then queued
 * with a job id derived from it: enqueueing twice, retrying or recovering after a crash sends once.
 */
import type { Queue } from 'bullmq';
import type { Config } from '../config.js';
import type { PrismaClient } from '../db/client.js';
import type { OutboundContent, OutboundTarget, PlatformName } from '../platforms/types.js';
import { jobIdPart, type OutboundJob, type Priority } from '../queue/queues.js';
import { platformOfId } from './ids.js';

/** Stored payload: cards are referenced by id so the latest state is what gets sent. */
export type StoredContent = Exclude<OutboundContent, { type: 'card' }> | { type: 'card'; cardId: string };

export interface OutboundRequest {
  /** Deterministic id, derived from what caused the message (e.g. `reminder-12-once`). */
  id: string;
  target: OutboundTarget;
  content: StoredContent;
  kind?: 'send' | 'card-update';
  priority: Priority;
}

export function targetId(target: OutboundTarget): string {
  return target.kind === 'user' ? target.userId : target.conversationId;
}

export class Outbox {
  constructor(
    private readonly db: PrismaClient,
    private readonly queues: ReadonlyMap<PlatformName, Queue<OutboundJob>>,
    private readonly config: Config,
  ) {}

  async enqueue(request: OutboundRequest): Promise<void> {
    await this.enqueueMany([request]);
  }

  /** Stores and queues many messages in two round trips (bulk fan-out). */
  async enqueueMany(requests: readonly OutboundRequest[]): Promise<void> {
    if (requests.length === 0) return;
    const rows = requests.map((r) => ({
      id: r.id,
      platform: platformOfId(targetId(r.target)),
      targetKind: r.target.kind,
      targetId: targetId(r.target),
      kind: r.kind ?? 'send',
      payload: JSON.stringify(r.content),
      priority: r.priority,
    }));
    // Existing rows are kept as they are: a repeated request must not resend or reset them.
    const existing = new Set(
      (await this.db.outboundMessage.findMany({ where: { id: { in: rows.map((r) => r.id) } }, select: { id: true } })).map((r) => r.id),
    );
    const fresh = rows.filter((r) => !existing.has(r.id));
    if (fresh.length > 0) await this.db.outboundMessage.createMany({ data: fresh });
    await this.addJobs(rows.filter((r) => !existing.has(r.id)));
  }

  /** Re-queues messages stored but never confirmed sent (after a crash between store and queue). */
  async recoverPending(): Promise<number> {
    const pending = await this.db.outboundMessage.findMany({ where: { status: 'pending' }, orderBy: { createdAt: 'asc' } });
    if (pending.length === 0) return 0;
    await this.addJobs(pending);
    // A job that BullMQ failed without the processor recording it (stalled twice: two crashes in
    // a row) keeps its id, so adding it again does nothing: retry it instead.
    const stillPending = new Set(pending.map((p) => `out-${jobIdPart(p.id)}`));
    for (const queue of this.queues.values()) {
      for (const job of await queue.getFailed(0, -1)) {
        if (job.id && stillPending.has(job.id)) await job.retry('failed').catch(() => undefined);
      }
    }
    return pending.length;
  }

  private async addJobs(rows: ReadonlyArray<{ id: string; platform: string; priority: number }>): Promise<void> {
    const byPlatform = new Map<string, typeof rows[number][]>();
    for (const row of rows) {
      const list = byPlatform.get(row.platform);
      if (list) list.push(row);
      else byPlatform.set(row.platform, [row]);
    }
    for (const [platform, list] of byPlatform) {
      const queue = this.queues.get(platform as PlatformName);
      if (!queue) throw new Error(`No outbound queue for platform ${platform}`);
      await queue.addBulk(
        list.map((row) => ({
          name: 'send',
          data: { messageId: row.id },
          opts: {
            jobId: `out-${jobIdPart(row.id)}`,
            priority: row.priority,
            attempts: this.config.HUIWU_SEND_ATTEMPTS,
            backoff: { type: 'exponential', delay: this.config.HUIWU_SEND_BACKOFF_MS, jitter: 0.5 },
            removeOnComplete: { age: 24 * 3600, count: 50000 },
            removeOnFail: { age: 7 * 24 * 3600 },
          },
        })),
      );
    }
  }
}
