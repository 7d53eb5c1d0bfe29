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

  'meeting.survey': async (s, data) => {
    const meeting = await s.meetings.get(data.meetingId);
    if (!meeting || meeting.status !== 'scheduled' || s.config.HUIWU_SURVEY_AUTO === 'off') return 'skipped';
    if ((await s.db.survey.count({ where: { meetingId: meeting.id } })) > 0) return 'skipped: a survey exists';
    try {
      const { recipients } = await s.surveys.start(meeting, { anonymous: true, audience: s.config.HUIWU_SURVEY_AUDIENCE, createdBy: 'system' }, new Date());
      return `survey sent to ${recipients}`;
    } catch (error) {
      // Nobody to ask (no check-ins): nothing to send, not a failure to retry.
      return `skipped: ${(error as Error).message}`;
    }
  },

  'survey.remind': async (s, data) => {
    const survey = await s.surveys.get(data.surveyId);
    return survey ? `reminded ${await s.surveys.remind(survey, data.offset)}` : 'skipped';
  },

  'survey.close': async (s, data) => {
    const survey = await s.surveys.get(data.surveyId);
    if (!survey || survey.status !== 'open') return 'skipped';
    await s.surveys.close(survey, new Date());
    const { overall } = await s.surveyReport.publish(survey, 'close');
    return `closed, overall ${overall}`;
  },

  'fanout.progress': async (s, data) => {
    const { sent, failed } = await s.rsvp.progress(data);
    return `sent ${sent} failed ${failed}`;
  },

  'incident.escalate': (s, data) => s.incidents.escalate(data, new Date()),

  'incident.update-reminder': (s, data) => s.incidents.updateReminder(data, new Date()),

  'task.remind': (s, data) => s.tasks.remind(data),

  'task.overdue': (s, data) => s.tasks.overdue(data, new Date()),

  'checklist.digest': (s, data, job) => s.checklists.digest(data.meetingId, job.id ?? `${job.name}-${job.timestamp}`, new Date()),

  'schedule.check': async (s, data) => `clashes ${await s.conflicts.check(data.executiveId, data.item)}`,

  'schedule.digest': async (s, _data, job) => `digests ${await s.conflicts.digest(new Date(job.processedOn ?? Date.now()))}`,
};

export function scheduleProcessor(services: Services) {
  return async (job: Job<ScheduleJob>): Promise<string> => {
    const handler = handlers[job.name as ScheduleJobName] as ((s: Services, d: ScheduleJob, j: Job) => Promise<string>) | undefined;
    if (!handler) throw new Error(`Unknown schedule job ${job.name}`);
    return handler(services, job.data, job);
  };
}
