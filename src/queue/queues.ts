/**
 * Every queue in one place, with its id-only payload type. Scheduling and sending are separate
 * queues: a rate-limited outbound worker may pause for seconds, and a due reminder must still be
 * turned into a message on time. Within a platform's outbound queue, priorities keep urgent
 * notifications ahead of bulk sends.
 */
import { type DefaultJobOptions, Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { InboundEvent, PlatformName } from '../platforms/types.js';

export const QUEUE_NAMES = {
  inbound: 'inbound',
  schedule: 'schedule',
  outbound: (platform: PlatformName) => `outbound-${platform}`,
  /** Housekeeping: the daily retention prune. */
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
  event: InboundEvent;
}

export interface OutboundJob {
  messageId: string;
}

/** Delayed work on the schedule queue: the job name selects the processor; payloads carry ids only. */
export interface ScheduleJobs {
  'reminder.fire': { reminderId: number; repeatOf?: string; repeat?: number };
  /** Follow-up to attendees who have not answered, `offset` before the start (e.g. `3d`). */
  'meeting.followup': { meetingId: number; offset: string };
  /** Reminder to confirmed attendees, `offset` before the start. */
  'meeting.remind': { meetingId: number; offset: string };
  /** Check-in cards go out to confirmed attendees. */
  'meeting.checkin-open': { meetingId: number };
  /** Coalesced refresh of the live-count card. */
  'meeting.status': { meetingId: number };
  /** A meeting ended: start its satisfaction survey (when HUIWU_SURVEY_AUTO is on). */
  'meeting.survey': { meetingId: number };
  'survey.remind': { surveyId: number; offset: string };
  'survey.close': { surveyId: number };
  /** Progress of an invitation fan-out, posted in the group until every card is sent. */
  'fanout.progress': { meetingId: number; batch: string; fromAttendeeId: number; toAttendeeId: number; total: number; startedAt: number; tick: number };
  /** Nobody acknowledged incident `incidentId` in time: escalation step `step` (1 backups, 2 organizers, 3 executives). */
  'incident.escalate': { incidentId: number; step: number };
  /** Status-update reminder `n` to the owner of an open P1/P2 incident. */
  'incident.update-reminder': { incidentId: number; n: number };
  /** Task due reminder `offset` before `dueAt` (ms; a moved due time makes the job stale). */
  'task.remind': { taskId: number; offset: string; dueAt: number };
  /** Unfinished after its due time (`dueAt` ms): escalation to the department head and the creator. */
  'task.overdue': { taskId: number; dueAt: number };
  /** Daily preparation digest of a meeting's checklist to its organizers (a job scheduler). */
  'checklist.digest': { meetingId: number };
  /** Re-check an executive's schedule around one item (`m12`, `e5`): alert new clashes, close gone ones. */
  'schedule.check': { executiveId: string; item: string };
  /** The executives' morning digest (a job scheduler at HUIWU_DIGEST_TIME). */
  'schedule.digest': { kind: 'daily' };
}

/** Jobs of the maintenance queue. */
export interface MaintenanceJob {
  kind: 'retention.prune';
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
  connection: Redis,
  prefix: string,
  platforms: readonly PlatformName[],
  onError: (error: Error, queue: string) => void = () => undefined,
): Queues {
  const opts = { connection, prefix };
  const inbound = new Queue<InboundJob>(QUEUE_NAMES.inbound, { ...opts, defaultJobOptions: KEEP_JOBS.inbound });
  // QueueEvents blocks on its connection, so it gets its own (closed with it below).
  const eventsConnection = connection.duplicate();
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
