/**
 * Every queue in one place, with its id-only payload type. Scheduling and sending are separate
 * queues: a rate-limited outbound worker may pause for seconds, and a due reminder must still be
 * turned into a message on time. Within a platform's outbound queue, priorities keep urgent
 * notifications ahead of bulk sends.
 */
import { type DefaultJobOptions, Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { RedisClient } from '../redis/connection.js';
import type { InboundEvent, PlatformName } from '../platforms/types.js';

export const QUEUE_NAMES = {
  inbound: 'inbound',
  schedule: 'schedule',
  outbound: (platform: PlatformName) => `outbound-${platform}`,
  /** Housekeeping: the daily retention prune and the periodic backup. */
  maintenance: 'maintenance',
} as const;

const HOUR = 3600;
const DAY = 24 * HOUR;

/**
 * How many finished jobs each queue keeps in Redis, by age and count: every job hash costs memory
 * and AOF. Nothing relies on a finished job for de-duplication (the database does that: sent
 * messages, processed inbound events, re-checked schedule rows), so these only bound inspection.
 */
export const KEEP_JOBS = {
  inbound: { removeOnComplete: true, removeOnFail: { age: 7 * DAY, count: 1000 } },
  schedule: { removeOnComplete: { age: DAY, count: 2000 }, removeOnFail: { age: 30 * DAY, count: 2000 } },
  outbound: { removeOnComplete: { age: HOUR, count: 2000 }, removeOnFail: { age: 7 * DAY, count: 5000 } },
  maintenance: { removeOnComplete: { count: 30 }, removeOnFail: { count: 30 } },
} as const satisfies Record<string, Pick<DefaultJobOptions, 'removeOnComplete' | 'removeOnFail'>>;

/** BullMQ priority: 1 is served first. */
export const PRIORITY = { urgent: 1, interactive: 2, normal: 5, bulk: 10 } as const;
export type Priority = (typeof PRIORITY)[keyof typeof PRIORITY];

export interface InboundJob {
  /** The event without its text or form values, which are in `sealed` (see inbound-seal.ts). */
  event: InboundEvent;
  sealed?: string;
}

export interface OutboundJob {
  messageId: string;
}

/**
 * Delayed work on the schedule queue: the job name selects the processor; payloads carry ids only.
 * Each capability adds its job names and payloads here by declaration merging in its service file
 * (`declare module '../queue/queues.js' { interface ScheduleJobs { 'reminder.fire': {...} } }`).
 */
export interface ScheduleJobs {}

/** Jobs of the maintenance queue. */
export interface MaintenanceJob {
  kind: 'retention.prune' | 'backup.run';
}
export type ScheduleJobName = keyof ScheduleJobs;
export type ScheduleJob = ScheduleJobs[ScheduleJobName];

export interface Queues {
  inbound: Queue<InboundJob>;
  inboundEvents: QueueEvents;
  schedule: Queue<ScheduleJob>;
  outbound: Map<PlatformName, Queue<OutboundJob>>;
  maintenance: Queue<MaintenanceJob>;
  close(): Promise<void>;
  /** Drops the queues' own connections without waiting for Redis (it is down). */
  disconnect(): void;
}

/**
 * `onError` receives connection errors of the queues (BullMQ prints them to stderr when nobody
 * listens): while Redis is down they repeat with every reconnect attempt.
 */
export function createQueues(
  connection: RedisClient,
  prefix: string,
  platforms: readonly PlatformName[],
  onError: (error: Error, queue: string) => void = () => undefined,
): Queues {
  const opts = { connection, prefix };
  const inbound = new Queue<InboundJob>(QUEUE_NAMES.inbound, { ...opts, defaultJobOptions: KEEP_JOBS.inbound });
  // QueueEvents blocks on its connection, so it gets its own (closed with it below).
  const eventsConnection: RedisClient = (connection as Redis).duplicate();
  eventsConnection.on('error', () => undefined);
  const inboundEvents = new QueueEvents(QUEUE_NAMES.inbound, { connection: eventsConnection, prefix });
  const schedule = new Queue<ScheduleJob>(QUEUE_NAMES.schedule, { ...opts, defaultJobOptions: KEEP_JOBS.schedule });
  const outbound = new Map(platforms.map((p) => [p, new Queue<OutboundJob>(QUEUE_NAMES.outbound(p), { ...opts, defaultJobOptions: KEEP_JOBS.outbound })] as const));
  const maintenance = new Queue<MaintenanceJob>(QUEUE_NAMES.maintenance, { ...opts, defaultJobOptions: KEEP_JOBS.maintenance });
  for (const queue of [inbound, schedule, maintenance, ...outbound.values()] as Queue[]) queue.on('error', (error) => onError(error, queue.name));
  inboundEvents.on('error', (error) => onError(error, `${inboundEvents.name} events`));
  return {
    inbound,
    inboundEvents,
    schedule,
    outbound,
    maintenance,
    async close() {
      await Promise.all([inbound.close(), inboundEvents.close(), schedule.close(), maintenance.close(), ...[...outbound.values()].map((q) => q.close())]);
      eventsConnection.disconnect();
    },
    disconnect() {
      eventsConnection.disconnect();
    },
  };
}

/** BullMQ custom job ids may not contain `:`; our internal ids do. */
export function jobIdPart(id: string): string {
  return id.replace(/[^A-Za-z0-9_@.-]/g, '_');
}
