/**
 * Maintenance queue: the daily retention prune, run by a BullMQ job scheduler with a fixed id, so
 * every start (and every instance) upserts the same schedule instead of adding another.
 */
import type { Job, Queue } from 'bullmq';
import type { Config } from '../src/config.js';
import type { MaintenanceJob } from '../src/queue/queues.js';
import type { Retention } from '../src/services/retention.js';

export const PRUNE_SCHEDULER_ID = 'retention-prune';

export async function scheduleMaintenance(queue: Queue<MaintenanceJob>, config: Config): Promise<void> {
  await queue.upsertJobScheduler(
    PRUNE_SCHEDULER_ID,
    { pattern: config.HUIWU_RETENTION_CRON, tz: config.HUIWU_TIMEZONE },
    { name: 'retention.prune', data: { kind: 'retention.prune' } },
  );
}

export function maintenanceProcessor(retention: Retention) {
  return async (job: Job<MaintenanceJob>): Promise<string> => {
    if (job.data.kind !== 'retention.prune') throw new Error(`Unknown maintenance job ${job.name}`);
    const counts = await retention.prune(new Date());
    return JSON.stringify(counts);
  };
}
