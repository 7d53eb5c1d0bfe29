/** Delayed and recurring jobs on the schedule queue, behind names the domain understands. */
import type { Queue } from 'bullmq';
import { SCHEDULE_JOB, type ScheduleJob } from '../queue/queues.js';

export class Scheduler {
  constructor(private readonly queue: Queue<ScheduleJob>) {}

  /** Runs once at `when`. The id is deterministic: scheduling the same thing twice keeps one job. */
  async at(jobId: string, data: ScheduleJob, when: Date): Promise<void> {
    await this.queue.add(SCHEDULE_JOB.reminderFire, data, {
      jobId,
      delay: Math.max(0, when.getTime() - Date.now()),
      attempts: 5,
      backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
      removeOnComplete: { age: 7 * 24 * 3600 },
      removeOnFail: { age: 30 * 24 * 3600 },
    });
  }

  async cancel(jobId: string): Promise<void> {
    // A job already running cannot be removed; its processor re-checks the database and skips.
    await this.queue.remove(jobId).catch(() => 0);
  }

  /** A BullMQ job scheduler: one job per cron occurrence, in the given time zone. */
  async recurring(schedulerId: string, cron: string, timeZone: string, data: ScheduleJob): Promise<void> {
    await this.queue.upsertJobScheduler(
      schedulerId,
      { pattern: cron, tz: timeZone },
      { name: SCHEDULE_JOB.reminderFire, data, opts: { attempts: 5, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: { age: 7 * 24 * 3600 } } },
    );
  }

  async removeRecurring(schedulerId: string): Promise<void> {
    await this.queue.removeJobScheduler(schedulerId);
  }

  async exists(jobId: string): Promise<boolean> {
    return (await this.queue.getJob(jobId)) != null;
  }
}
