/** Delayed and recurring jobs on the schedule queue, behind names the domain understands. */
import type { JobsOptions, Queue } from 'bullmq';
import { KEEP_JOBS, type ScheduleJob, type ScheduleJobName, type ScheduleJobs } from '../queue/queues.js';

const DEFAULTS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
  ...KEEP_JOBS.schedule,
};

export class Scheduler {
  constructor(private readonly queue: Queue<ScheduleJob>) {}

  /** Runs once at `when`. The id is deterministic: scheduling the same thing twice keeps one job. */
  async at<N extends ScheduleJobName>(name: N, jobId: string, data: ScheduleJobs[N], when: Date, opts: JobsOptions = {}): Promise<void> {
    await this.queue.add(name, data, { ...DEFAULTS, ...opts, jobId, delay: Math.max(0, when.getTime() - Date.now()) });
  }

  /**
   * Runs once after `delayMs`, however often it is asked for in the meantime: a burst of changes
   * becomes one job that reads the latest state when it runs.
   */
  async coalesced<N extends ScheduleJobName>(name: N, key: string, data: ScheduleJobs[N], delayMs: number): Promise<void> {
    await this.queue.add(name, data, { ...DEFAULTS, delay: delayMs, deduplication: { id: key, ttl: delayMs } });
  }

  async cancel(jobId: string): Promise<void> {
    // A job already running cannot be removed; its processor re-checks the database and skips.
    await this.queue.remove(jobId).catch(() => 0);
  }

  /** A BullMQ job scheduler: one job per cron occurrence, in the given time zone. */
  async recurring<N extends ScheduleJobName>(name: N, schedulerId: string, cron: string, timeZone: string, data: ScheduleJobs[N]): Promise<void> {
    await this.queue.upsertJobScheduler(schedulerId, { pattern: cron, tz: timeZone }, { name, data, opts: DEFAULTS });
  }

  async removeRecurring(schedulerId: string): Promise<void> {
    await this.queue.removeJobScheduler(schedulerId);
  }

  async exists(jobId: string): Promise<boolean> {
    return (await this.queue.getJob(jobId)) != null;
  }

  /** Those of `jobIds` with no job, looked up in concurrent slices (pipelined on one connection). */
  async missing(jobIds: readonly string[]): Promise<Set<string>> {
    const missing = new Set<string>();
    for (let i = 0; i < jobIds.length; i += 500) {
      const slice = jobIds.slice(i, i + 500);
      const states = await Promise.all(slice.map((id) => this.queue.getJobState(id)));
      slice.forEach((id, n) => states[n] === 'unknown' && missing.add(id));
    }
    return missing;
  }
}
