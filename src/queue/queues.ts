/**
 * Every queue in one place, with its id-only payload type. Scheduling and sending are separate
 * queues: a rate-limited outbound worker may pause for seconds, and a due reminder must still be
 * turned into a message on time. Within a platform's outbound queue, priorities keep urgent
 * notifications ahead of bulk sends.
 */
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { InboundEvent, PlatformName } from '../platforms/types.js';

export const QUEUE_NAMES = {
  inbound: 'inbound',
  schedule: 'schedule',
  outbound: (platform: PlatformName) => `outbound-${platform}`,
} as const;

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
export type ScheduleJobName = keyof ScheduleJobs;
export type ScheduleJob = ScheduleJobs[ScheduleJobName];

export interface Queues {
  inbound: Queue<InboundJob>;
  inboundEvents: QueueEvents;
  schedule: Queue<ScheduleJob>;
  outbound: Map<PlatformName, Queue<OutboundJob>>;
  close(): Promise<void>;
}

export function createQueues(connection: Redis, prefix: string, platforms: readonly PlatformName[]): Queues {
  const opts = { connection, prefix };
  const inbound = new Queue<InboundJob>(QUEUE_NAMES.inbound, opts);
  // QueueEvents blocks on its connection, so it gets its own (closed with it below).
  const eventsConnection = connection.duplicate();
  const inboundEvents = new QueueEvents(QUEUE_NAMES.inbound, { connection: eventsConnection, prefix });
  const schedule = new Queue<ScheduleJob>(QUEUE_NAMES.schedule, opts);
  const outbound = new Map(platforms.map((p) => [p, new Queue<OutboundJob>(QUEUE_NAMES.outbound(p), opts)] as const));
  return {
    inbound,
    inboundEvents,
    schedule,
    outbound,
    async close() {
      await Promise.all([inbound.close(), inboundEvents.close(), schedule.close(), ...[...outbound.values()].map((q) => q.close())]);
      eventsConnection.disconnect();
    },
  };
}

/** BullMQ custom job ids may not contain `:`; our internal ids do. */
export function jobIdPart(id: string): string {
  return id.replace(/[^A-Za-z0-9_@.-]/g, '_');
}
