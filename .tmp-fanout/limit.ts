import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPrisma } from '../src/db/client.js';
import { applyMigrations } from '../src/db/migrate.js';
const dir = mkdtempSync(join(tmpdir(), 'huiwu-lim-'));
const url = `file:${join(dir, 'x.db')}`;
await applyMigrations({ databaseUrl: url, migrationsDir: join(process.cwd(), 'prisma', 'migrations') });
const db = createPrisma(url);
for (const n of [500, 999, 1000, 5000, 40000]) {
  const ids = Array.from({ length: n }, (_, i) => `x${i}`);
  for (const [name, f] of [
    ['count', () => db.outboundMessage.count({ where: { id: { in: ids }, status: 'sent' } })],
    ['findMany', () => db.outboundMessage.findMany({ where: { id: { in: ids } }, select: { id: true } })],
    ['groupBy', () => db.outboundMessage.groupBy({ by: ['status'], where: { id: { in: ids } }, _count: { _all: true } })],
  ] as const) {
    try { await (f as () => Promise<unknown>)(); console.log(n, name, 'ok'); } catch (e) { console.log(n, name, 'FAIL', String(e).slice(-80)); }
  }
}
await db.$disconnect();
