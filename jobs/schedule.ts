/**
 * Schedule queue processor: a due job becomes cards and messages on the outbound queue.
 * One small function per job name; each re-checks the database before acting.
 */
import type { Job } from 'bullmq';
import type { ScheduleJob, ScheduleJobName, ScheduleJobs } from '../src/queue/queues.js';
import type { Services } from '../src/services/services.js';

type Handlers = { [N in ScheduleJobName]: (services: Services, data: ScheduleJobs[N], job: Job) => Promise<string> };

const handlers: Handlers = {
  'reminder.fire': (s, data, job) => s.reminders.fire(data, job.id ?? `${job.name}-${job.timestamp}`),

  'meeting.followup': async (s, data, job) => {
    const offset = s.config.HUIWU_RSVP_FOLLOWUPS.find((o) => o.key === data.offset);
    const meeting = offset && (await s.meetings.stillDue(data.meetingId, offset.ms, job.processedOn ?? Date.now()));
    if (!meeting) return 'skipped';
    return `followed up ${await s.rsvp.followUp(meeting, `${data.offset}-${meeting.startAt.getTime()}`)}`;
  },

  'meeting.remind': async (s, data, job) => {
    const offset = s.config.HUIWU_MEETING_REMINDERS.find((o) => o.key === data.offset);
    const meeting = offset && (await s.meetings.stillDue(data.meetingId, offset.ms, job.processedOn ?? Date.now()));
    if (!meeting) return 'skipped';
    return `reminded ${await s.rsvp.remindConfirmed(meeting, `${data.offset}-${meeting.startAt.getTime()}`)}`;
  },

  'meeting.checkin-open': async (s, data, job) => {
    const meeting = await s.meetings.stillDue(data.meetingId, s.config.HUIWU_CHECKIN_OPENS.ms, job.processedOn ?? Date.now());
    if (!meeting) return 'skipped';
    return `check-in cards ${await s.checkin.openCheckin(meeting)}`;
  },

  'meeting.status': async (s, data) => {
    await s.meetings.refreshStatusNow(data.meetingId);
    return 'refreshed';
  },

  'fanout.progress': async (s, data) => {
    const { sent, failed } = await s.rsvp.progress(data);
    return `sent ${sent} failed ${failed}`;
  },
};

export function scheduleProcessor(services: Services) {
  return async (job: Job<ScheduleJob>): Promise<string> => {
    const handler = handlers[job.name as ScheduleJobName] as ((s: Services, d: ScheduleJob, j: Job) => Promise<string>) | undefined;
    if (!handler) throw new Error(`Unknown schedule job ${job.name}`);
    return handler(services, job.data, job);
  };
}
