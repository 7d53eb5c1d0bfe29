/**
 * For /readyz: are all migrations this code ships applied to the database it talks to? During a
 * rolling update an instance of a newer release applies its migrations at start; one whose
 * database lacks its own (restored from an older backup, say) must not take traffic.
 */
import type { PrismaClient } from '../generated/prisma/client.js';
import { ConditionNotMet } from '../errors.js';
import type { DatabaseKind } from './database-url.js';
import { migrationsDirOf, readMigrationsList } from './migrate.js';

/** A probe that throws while a shipped migration is missing; once all are there it stops asking. */
export function migrationsApplied(db: PrismaClient, kind: DatabaseKind): () => Promise<void> {
  let confirmed = false;
  const shipped = readMigrationsList(migrationsDirOf(kind)).then((list) => list.migrationDirectories.map((m) => m.path));
  shipped.catch(() => undefined); // reported by the probe
  return async () => {
    if (confirmed) return;
    const rows = await db.$queryRaw<Array<{ migration_name: string }>>`SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;
    const applied = new Set(rows.map((r) => r.migration_name));
    const missing = (await shipped).filter((name) => !applied.has(name));
    if (missing.length) throw new ConditionNotMet(`${missing.length} migration(s) not applied, e.g. ${missing[0]}`);
    confirmed = true;
  };
}
