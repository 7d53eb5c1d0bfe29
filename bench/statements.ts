/**
 * `npm run bench -- --only statements`: what one statement of the send path costs through Prisma
 * and through src/db/sqlite-direct.ts on the same SQLite connection: the figure behind running
 * those statements without the ORM. Each repository function is timed both ways on a private
 * SQLite file (STATEMENTS_N calls each, default 2,000), with the app's settings (WAL, statement
 * cache, synchronous as HUIWU_SQLITE_SYNC). The Prisma form is the one PostgreSQL still runs.
 * Also times one commit with synchronous=FULL against NORMAL (the HUIWU_SQLITE_SYNC default).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPrisma, type PrismaClient } from '../src/db/client.js';
import { applyMigrations } from '../src/db/migrate.js';
import { sqliteDate, sqliteDirect } from '../src/db/sqlite-direct.js';
import { QUICK, emitRow } from './support/report.js';

const N = Number(process.env.STATEMENTS_N ?? (QUICK ? 300 : 2000));

/** Mean microseconds per call of `work(i)` over N calls (after N/10 warm-up calls). */
async function perCall(work: (i: number) => unknown): Promise<number> {
  for (let i = 0; i < N / 10; i++) await work(-1 - i);
  const started = process.hrtime.bigint();
  for (let i = 0; i < N; i++) await work(i);
  return Number(process.hrtime.bigint() - started) / N / 1000;
}

async function open(dir: string, name: string, sync: 'normal' | 'full'): Promise<PrismaClient> {
  const url = `file:${join(dir, `${name}.db`)}`;
  await applyMigrations({ databaseUrl: url });
  const db = createPrisma(url, { sqliteSync: sync });
  await db.inboundEvent.count(); // connects
  return db;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'huiwu-bench-statements-'));
  try {
    const db = await open(dir, 'normal', 'normal');
    const direct = sqliteDirect(db)!;
    const row = (i: number, tag: string) => ({ id: `${tag}${i}`, platform: 'simulator', targetKind: 'user', targetId: 'simulator:u1', kind: 'send', payload: '{"type":"text","text":"hi"}', priority: 1 });
    const cases: Array<[string, (i: number) => unknown, (i: number) => unknown]> = [
      [
        'store a message (insert, skip if present)',
        (i) => db.outboundMessage.createMany({ data: [row(i, 'p')] }),
        (i) => {
          const r = row(i, 'd');
          return direct.run(
            'INSERT INTO "OutboundMessage" ("id", "platform", "targetKind", "targetId", "kind", "payload", "priority", "status", "attempts", "createdAt") VALUES (?, ?, ?, ?, ?, ?, ?, \'pending\', 0, ?) ON CONFLICT ("id") DO NOTHING',
            r.id, r.platform, r.targetKind, r.targetId, r.kind, r.payload, r.priority, sqliteDate(new Date()),
          );
        },
      ],
      ['read a message to send', (i) => db.outboundMessage.findUnique({ where: { id: `p${i}` } }), (i) => direct.get('SELECT "id", "targetKind", "targetId", "kind", "payload", "status", "attempts" FROM "OutboundMessage" WHERE "id" = ?', `d${i}`)],
      [
        'mark it sent',
        (i) => db.outboundMessage.update({ where: { id: `p${Math.max(0, i)}` }, data: { status: 'sent', sentAt: new Date(), attempts: { increment: 1 } } }),
        (i) => direct.run('UPDATE "OutboundMessage" SET "status" = \'sent\', "sentAt" = ?, "attempts" = "attempts" + 1 WHERE "id" = ?', sqliteDate(new Date()), `d${Math.max(0, i)}`),
      ],
    ];
    let ormTotal = 0;
    let directTotal = 0;
    console.log(`per call, mean of ${N} (µs): ORM | direct | ratio`);
    for (const [name, orm, raw] of cases) {
      const [a, b] = [await perCall(orm), await perCall(raw)];
      ormTotal += a;
      directTotal += b;
      console.log(`  ${name.padEnd(44)} ${a.toFixed(1).padStart(8)} | ${b.toFixed(1).padStart(7)} | ${(a / b).toFixed(1)}x`);
    }
    await db.$disconnect();

    const commit = async (sync: 'normal' | 'full') => {
      const c = await open(dir, sync === 'full' ? 'full' : 'normal2', sync);
      const d = sqliteDirect(c)!;
      const us = await perCall((i) => d.run('INSERT INTO "InboundEvent" ("id", "platform", "kind", "createdAt") VALUES (?, ?, ?, ?) ON CONFLICT ("id") DO NOTHING', `e${i}`, 'simulator', 'message', sqliteDate(new Date())));
      await c.$disconnect();
      return us;
    };
    const [full, normal] = [await commit('full'), await commit('normal')];
    console.log(`one commit: synchronous=FULL ${full.toFixed(0)} µs, NORMAL ${normal.toFixed(0)} µs (${(full / normal).toFixed(0)}x)`);

    emitRow({
      row: 'send-path statements',
      goal: 'direct >= 3x cheaper than ORM',
      figure: `${directTotal.toFixed(0)} µs (store + read + mark sent)`,
      baseline: `${ormTotal.toFixed(0)} µs through Prisma`,
      ratio: directTotal / ormTotal,
      pass: ormTotal / directTotal >= 3,
      note: `commit FULL ${full.toFixed(0)} µs vs NORMAL ${normal.toFixed(0)} µs`,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
