/** Schedule queue processor: a due job becomes cards and messages on the outbound queue. */
import type { Job } from 'bullmq';
import { SCHEDULE_JOB, type ScheduleJob } from '../src/queue/queues.js';
import type { Services } from '../src/services/services.js';

export function scheduleProcessor(services: Services) {
  return async (job: Job<ScheduleJob>): Promise<string> => {
    switch (job.name) {
      case SCHEDULE_JOB.reminderFire:
        return services.reminders.fire(job.data, job.id ?? `${job.name}-${job.timestamp}`);
      default:
        throw new Error(`Unknown schedule job ${job.name}`);
    }
  };
}
