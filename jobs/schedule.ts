/**
 * Schedule queue processor: a due job becomes cards and messages on the outbound queue.
 * Each capability brings the processors of its job names (thin functions that call its services,
 * which re-check the database before acting).
 */
import type { Job } from 'bullmq';
import type { Capability } from '../src/capability.js';
import type { ScheduleJob } from '../src/queue/queues.js';
import type { Services } from '../src/services/services.js';

/** One processor per job name, gathered from the capabilities; a name claimed twice stops the start. */
export function scheduleProcessor(services: Services, capabilities: readonly Capability[]) {
  const processors = new Map<string, (s: Services, data: ScheduleJob, job: Job) => Promise<string>>();
  for (const capability of capabilities) {
    for (const [name, processor] of Object.entries(capability.jobs ?? {})) {
      if (processors.has(name)) throw new Error(`Schedule job ${name} claimed by ${capability.name} is already handled`);
      processors.set(name, processor as (s: Services, data: ScheduleJob, job: Job) => Promise<string>);
    }
  }
  return async (job: Job<ScheduleJob>): Promise<string> => {
    const processor = processors.get(job.name);
    if (!processor) throw new Error(`Unknown schedule job ${job.name}`);
    return processor(services, job.data, job);
  };
}
