/**
 * The only way anything is sent. A message is first stored with a deterministic id, then queued
 * with a job id derived from it: enqueueing twice, retrying or recovering after a crash sends once.
 *
 * A message for a platform that is not configured in this run (the data folder was used with
 * DingTalk before, say) is stored and stays `pending`, with one warning per platform: it is queued
 * by the start-up recovery of a run that has the platform again. Nothing is dropped or marked done.
 */
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { PrismaClient } from '../db/client.js';
import { sqliteDate, sqliteDirect } from '../db/sqlite-direct.js';
import type { OutboundContent, OutboundTarget, PlatformName } from '../platforms/types.js';
import { KEEP_JOBS, jobIdPart, type OutboundJob, type Priority } from '../queue/queues.js';
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

/** A stored message, as the outbound processor reads it. */
export interface StoredMessage {
  id: string;
  targetKind: string;
  targetId: string;
  kind: string;
  payload: string;
  status: string;
  attempts: number;
}

interface NewMessageRow {
  id: string;
  platform: string;
  targetKind: string;
  targetId: string;
  kind: string;
  payload: string;
  priority: number;
}

export function targetId(target: OutboundTarget): string {
  return target.kind === 'user' ? target.userId : target.conversationId;
}

export class Outbox {
  /** Platforms already warned about in this run (one warning each, not one per message). */
  private readonly warnedUnconfigured = new Set<string>();

  constructor(
    private readonly db: PrismaClient,
    private readonly queues: ReadonlyMap<PlatformName, Queue<OutboundJob>>,
    private readonly config: Config,
    private readonly log?: Logger,
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
    await this.addJobs(await this.storeFresh(rows));
  }

  /** Stores the rows not stored yet; returns those. */
  private async storeFresh<R extends NewMessageRow>(rows: R[]): Promise<R[]> {
    const direct = sqliteDirect(this.db);
    if (direct) {
      const createdAt = sqliteDate(new Date());
      return direct.atomically(rows.length, () =>
        rows.filter(
          (r) =>
            direct.run(
              'INSERT INTO "OutboundMessage" ("id", "platform", "targetKind", "targetId", "kind", "payload", "priority", "status", "attempts", "createdAt") VALUES (?, ?, ?, ?, ?, ?, ?, \'pending\', 0, ?) ON CONFLICT ("id") DO NOTHING',
              r.id,
              r.platform,
              r.targetKind,
              r.targetId,
              r.kind,
              r.payload,
              r.priority,
              createdAt,
            ) === 1,
        ),
      );
    }
    const existing = new Set((await this.db.outboundMessage.findMany({ where: { id: { in: rows.map((r) => r.id) } }, select: { id: true } })).map((r) => r.id));
    const fresh = rows.filter((r) => !existing.has(r.id));
    if (fresh.length > 0) await this.db.outboundMessage.createMany({ data: fresh });
    return fresh;
  }

  /** The stored message `id`, as the sender needs it; null when there is none. */
  async message(id: string): Promise<StoredMessage | null> {
    const direct = sqliteDirect(this.db);
    if (direct) return direct.get<StoredMessage>('SELECT "id", "targetKind", "targetId", "kind", "payload", "status", "attempts" FROM "OutboundMessage" WHERE "id" = ?', id) ?? null;
    return this.db.outboundMessage.findUnique({ where: { id }, select: { id: true, targetKind: true, targetId: true, kind: true, payload: true, status: true, attempts: true } });
  }

  async markSent(id: string): Promise<void> {
    const direct = sqliteDirect(this.db);
    if (direct) {
      direct.run('UPDATE "OutboundMessage" SET "status" = \'sent\', "sentAt" = ?, "attempts" = "attempts" + 1 WHERE "id" = ?', sqliteDate(new Date()), id);
      return;
    }
    await this.db.outboundMessage.update({ where: { id }, data: { status: 'sent', sentAt: new Date(), attempts: { increment: 1 } } });
  }

  /**
   * Re-queues messages stored but never confirmed sent (after a crash between store and queue, or a
   * Redis that lost recent writes). Messages for platforms not configured now are counted, logged
   * once and left pending. Returns the number re-queued.
   */
  async recoverPending(): Promise<number> {
    const configured = [...this.queues.keys()];
    const parked = await this.db.outboundMessage.groupBy({ by: ['platform'], where: { status: 'pending', platform: { notIn: configured } }, _count: { _all: true } });
    for (const group of parked) this.warnUnconfigured(group.platform, group._count._all);
    const pending = await this.db.outboundMessage.findMany({ where: { status: 'pending', platform: { in: configured } }, orderBy: { createdAt: 'asc' } });
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
      if (!queue) {
        this.warnUnconfigured(platform, list.length);
        continue;
      }
      await queue.addBulk(
        list.map((row) => ({
          name: 'send',
          data: { messageId: row.id },
          opts: {
            jobId: `out-${jobIdPart(row.id)}`,
            priority: row.priority,
            attempts: this.config.HUIWU_SEND_ATTEMPTS,
            backoff: { type: 'exponential', delay: this.config.HUIWU_SEND_BACKOFF_MS, jitter: 0.5 },
            ...KEEP_JOBS.outbound,
          },
        })),
      );
    }
  }

  private warnUnconfigured(platform: string, count: number): void {
    if (this.warnedUnconfigured.has(platform)) return;
    this.warnedUnconfigured.add(platform);
    this.log?.warn(
      { platform, pending: count },
      `${count} message(s) for ${platform} kept pending: the platform is not configured in this run; they are sent when it is configured again`,
    );
  }
}
