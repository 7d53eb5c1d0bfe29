/**
 * `npm run bench:conflicts`: how long one schedule change takes to check with big calendars.
 *
 * Seeds a private SQLite file with CONFLICTS_EXECS executives (100) of CONFLICTS_ITEMS items each
 * (1,000: 70% manual entries, 30% Huiwu meetings they attend) spread over a year, then makes
 * CONFLICTS_CHANGES changes (1,000; half entries, half meetings, each moved to a random time) and
 * times the real `ConflictService.check` of each: load the changed item, the window around it,
 * detect, record and alert new clashes (cards and outbox rows are written; the queues are
 * stubbed, no Redis needed). Prints p50, p99 and max, and the query plans of the window queries
 * so the indexes in use can be seen. The temp folder is removed at the end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Queue } from 'bullmq';
import pino from 'pino';
import { loadConfig } from '../src/config.js';
import { createPrisma } from '../src/db/client.js';
import { applyMigrations } from '../src/db/migrate.js';
import type { PlatformName } from '../src/platforms/types.js';
import type { OutboundJob } from '../src/queue/queues.js';
import { NO_CALENDAR } from '../src/services/calendar.js';
import { CardService } from '../src/services/cards.js';
import { Directory } from '../src/services/directory.js';
import { DomainEvents } from '../src/services/events.js';
import { LocaleService } from '../src/services/locales.js';
import { MeetingStatsService } from '../src/services/meeting-stats.js';
import { MeetingService } from '../src/services/meetings.js';
import { Outbox } from '../src/services/outbox.js';
import { ConflictService } from '../src/services/schedule-conflicts.js';
import { ScheduleService } from '../src/services/schedule.js';
import type { Scheduler } from '../src/services/scheduler.js';
import { emitRow, ms } from './support/report.js';

const EXECS = Number(process.env.CONFLICTS_EXECS ?? 100);
const ITEMS = Number(process.env.CONFLICTS_ITEMS ?? 1000);
const CHANGES = Number(process.env.CONFLICTS_CHANGES ?? 1000);
const MEETING_SHARE = 0.3;
const YEAR_START = Date.UTC(2027, 0, 1);
const DAY = 86_400_000;

// A fixed-seed generator: every run measures the same data.
let seed = 42;
const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
const VENUES = ['主会场', '国贸', '三楼会议室', '报告厅', null];

/** A random slot on a random day of the year, 08:00-19:00 Shanghai, 30-120 minutes. */
function slot(): { startAt: Date; endAt: Date } {
  const day = Math.floor(rand() * 365);
  const minute = 8 * 60 + Math.floor(rand() * 11 * 4) * 15;
  const start = YEAR_START + day * DAY + (minute - 8 * 60) * 60_000; // 00:00 UTC is 08:00 Shanghai
  return { startAt: new Date(start), endAt: new Date(start + (2 + Math.floor(rand() * 7)) * 15 * 60_000) };
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'huiwu-bench-conflicts-'));
  try {
    const config = loadConfig({ DATABASE_URL: `file:${join(dir, 'bench.db')}`, HUIWU_DATA_DIR: dir, LOG_LEVEL: 'silent' });
    await applyMigrations({ databaseUrl: config.DATABASE_URL });
    const db = createPrisma(config.DATABASE_URL);

    const seeding = Date.now();
    const execIds = Array.from({ length: EXECS }, (_, i) => `simulator:exec${i}`);
    await db.user.createMany({ data: execIds.map((id, i) => ({ id, platform: 'simulator', externalId: `exec${i}`, name: `领导${i}`, roles: '["executive"]' })) });
    const entriesPer = Math.round(ITEMS * (1 - MEETING_SHARE));
    const meetingsPer = ITEMS - entriesPer;
    for (const userId of execIds) {
      const entries = Array.from({ length: entriesPer }, (_, i) => ({ userId, title: `日程${i}`, ...slot(), venue: pick(VENUES), importance: pick(['high', 'medium', 'low']), createdBy: userId }));
      for (let i = 0; i < entries.length; i += 400) await db.scheduleEntry.createMany({ data: entries.slice(i, i + 400) });
      const meetings = await db.meeting.createManyAndReturn({
        data: Array.from({ length: meetingsPer }, (_, i) => ({ title: `会议${i}`, ...slot(), venue: pick(VENUES), conversationId: 'simulator:g', creatorId: 'simulator:org', organizerIds: '["simulator:org"]' })),
        select: { id: true },
      });
      await db.attendee.createMany({ data: meetings.map((m) => ({ meetingId: m.id, userId, name: userId, invitedBy: 'simulator:org', response: 'yes' })) });
      await db.meetingOrganizer.createMany({ data: meetings.map((m) => ({ meetingId: m.id, userId: 'simulator:org' })) });
    }
    console.log(`seeded ${EXECS} executives × ${ITEMS} items (${entriesPer} entries + ${meetingsPer} meetings) in ${((Date.now() - seeding) / 1000).toFixed(1)} s`);

    const stubQueue = { addBulk: async () => [] } as unknown as Queue<OutboundJob>;
    const outbox = new Outbox(db, new Map<PlatformName, Queue<OutboundJob>>([['simulator', stubQueue]]), config);
    const directory = new Directory(db);
    const locales = new LocaleService(directory, config);
    const cards = new CardService(db, outbox, locales);
    const scheduler = { coalesced: async () => undefined, recurring: async () => undefined, at: async () => undefined, cancel: async () => undefined } as unknown as Scheduler;
    const events = new DomainEvents();
    const meetings = new MeetingService(db, events, scheduler, cards, outbox, directory, new MeetingStatsService(db), locales, config);
    const schedule = new ScheduleService(db, directory, NO_CALENDAR, config);
    const conflicts = new ConflictService(db, events, scheduler, cards, outbox, locales, schedule, meetings, config, pino({ level: 'silent' }));

    // Warm-up (prepared statements, page cache), not measured.
    for (let i = 0; i < 20; i++) await conflicts.check(execIds[i % EXECS]!, `e${i + 1}`);

    const times: number[] = [];
    let clashes = 0;
    for (let i = 0; i < CHANGES; i++) {
      const exec = pick(execIds);
      const s = slot();
      let key: string;
      if (i % 2 === 0) {
        const entry = await db.scheduleEntry.findFirst({ where: { userId: exec }, skip: Math.floor(rand() * entriesPer), select: { id: true } });
        await db.scheduleEntry.update({ where: { id: entry!.id }, data: s });
        key = `e${entry!.id}`;
      } else {
        const attendee = await db.attendee.findFirst({ where: { userId: exec }, skip: Math.floor(rand() * meetingsPer), select: { meetingId: true } });
        await db.meeting.update({ where: { id: attendee!.meetingId }, data: s });
        key = `m${attendee!.meetingId}`;
      }
      const t0 = process.hrtime.bigint();
      clashes += await conflicts.check(exec, key);
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    times.sort((a, b) => a - b);
    console.log(`checked ${CHANGES} changes (${clashes} clashes found and recorded)`);
    console.log(`time to check one change: p50 ${pct(times, 50).toFixed(2)} ms · p99 ${pct(times, 99).toFixed(2)} ms · max ${times.at(-1)!.toFixed(2)} ms`);

    // The query plans of the window queries (the SQL Prisma sends, simplified to its shape).
    const raw = new Database(join(dir, 'bench.db'), { readonly: true });
    const plans: Array<[string, string]> = [
      ['entries in window', `SELECT * FROM ScheduleEntry WHERE userId = ? AND status = 'active' AND startAt >= ? AND startAt < ?`],
      ['attended meetings', `SELECT a.role, m.* FROM Attendee a JOIN Meeting m ON m.id = a.meetingId WHERE a.userId = ? AND m.status = 'scheduled' AND m.startAt >= ? AND m.startAt < ?`],
      ['organized meetings', `SELECT m.* FROM MeetingOrganizer o JOIN Meeting m ON m.id = o.meetingId WHERE o.userId = ? AND m.status = 'scheduled' AND m.startAt >= ? AND m.startAt < ?`],
      ['live conflicts', `SELECT * FROM ScheduleConflict WHERE executiveId = ? AND status IN ('open', 'delegated')`],
      // What ScheduleService.itemsInWindow sends: the three above in one statement.
      [
        'window (one query)',
        `SELECT 'm', m.id, m.title, m.startAt, m.endAt, m.venue, m.importance, m.organizerIds, a.role, a.response
         FROM Meeting m LEFT JOIN Attendee a ON a.meetingId = m.id AND a.userId = @u
         WHERE m.id IN (SELECT meetingId FROM Attendee WHERE userId = @u UNION SELECT meetingId FROM MeetingOrganizer WHERE userId = @u)
           AND m.status = 'scheduled' AND m.startAt >= @from AND m.startAt < @to
         UNION ALL SELECT 'e', e.id, e.title, e.startAt, e.endAt, e.venue, e.importance, NULL, NULL, NULL
         FROM ScheduleEntry e WHERE e.userId = @u AND e.status = 'active' AND e.startAt >= @from AND e.startAt < @to`,
      ],
    ];
    for (const [name, sql] of plans) {
      const params = sql.includes('@u') ? [{ u: 0, from: 0, to: 0 }] : Array.from({ length: (sql.match(/\?/g) ?? []).length }, () => 0);
      const plan = raw.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>;
      console.log(`plan ${name}: ${plan.map((p) => p.detail).join(' | ')}`);
    }
    // Baseline: the window queries alone, raw better-sqlite3 (prepared once), for the same number of random windows.
    const windowSql = plans.slice(0, 3).map(([, sql]) => raw.prepare(sql));
    const rawTimes: number[] = [];
    for (let i = 0; i < CHANGES; i++) {
      const exec = pick(execIds);
      const s = slot();
      // Dates as the adapter stores them (ISO text with +00:00), so the comparisons match rows.
      const iso = (t: number) => new Date(t).toISOString().replace('Z', '+00:00');
      const [from, to] = [iso(s.startAt.getTime() - DAY), iso(s.endAt.getTime() + DAY)];
      const t0 = process.hrtime.bigint();
      windowSql[0]!.all(exec, from, to);
      windowSql[1]!.all(exec, from, to);
      windowSql[2]!.all(exec, from, to);
      rawTimes.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    rawTimes.sort((a, b) => a - b);
    console.log(`baseline: the three window queries, raw better-sqlite3: p50 ${pct(rawTimes, 50).toFixed(2)} ms · p99 ${pct(rawTimes, 99).toFixed(2)} ms`);
    raw.close();
    await db.$disconnect();
    emitRow({
      row: 'conflicts p99',
      goal: `${EXECS} x ${ITEMS}: p99 <= 10 ms`,
      figure: ms(pct(times, 99), 2),
      baseline: `${ms(pct(rawTimes, 99), 2)} (raw window queries)`,
      ratio: pct(times, 99) / pct(rawTimes, 99),
      pass: pct(times, 99) <= 10,
      note: `p50 ${ms(pct(times, 50), 2)}; ${CHANGES} changes`,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
