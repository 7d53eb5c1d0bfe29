/**
 * Maintenance queue: the daily retention prune and the periodic backup, each run by a BullMQ job
 * scheduler with a fixed id, so every start (and every instance) upserts the same schedule instead
 * of adding another.
 */
import type { Job, Queue } from 'bullmq';
import type { Config } from '../src/config.js';
import type { MaintenanceJob } from '../src/queue/queues.js';
import type { BackupService } from '../src/services/backup.js';
import type { Retention } from '../src/services/retention.js';

export const PRUNE_SCHEDULER_ID = 'retention-prune';
export const BACKUP_SCHEDULER_ID = 'database-backup';

export async function scheduleMaintenance(queue: Queue<MaintenanceJob>, config: Config): Promise<void> {
  await queue.upsertJobScheduler(
    PRUNE_SCHEDULER_ID,
    { pattern: config.HUIWU_RETENTION_CRON, tz: config.HUIWU_TIMEZONE },
    { name: 'retention.prune', data: { kind: 'retention.prune' } },
  );
  // The first backup one interval after the first start. A later start keeps the schedule (and its
  // next run) unless the interval changed: re-creating it on every start would push the next backup
  // an interval away each time, and an instance restarted more often would never take one.
  const every = config.HUIWU_BACKUP_INTERVAL.ms;
  const existing = await queue.getJobScheduler(BACKUP_SCHEDULER_ID);
  if (existing?.every === every && existing.next) return;
  await queue.upsertJobScheduler(BACKUP_SCHEDULER_ID, { every, startDate: Date.now() + every }, { name: 'backup.run', data: { kind: 'backup.run' } });
}

export function maintenanceProcessor(retention: Retention, backup: BackupService) {
  return async (job: Job<MaintenanceJob>): Promise<string> => {
    switch (job.data.kind) {
      case 'retention.prune':
        return JSON.stringify(await retention.prune(new Date()));
      case 'backup.run':
        return JSON.stringify(await backup.run(new Date()));
      default:
        throw new Error(`Unknown maintenance job ${job.name}`);
    }
  };
}
