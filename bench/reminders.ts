/**
 * `npm run bench:reminders`: REMINDERS_N (10,000) one-off reminders due in the same second, each
 * to a different person, and the app's memory idle and at the peak of that burst.
 *
 * Seeds, straight into a private SQLite file: N simulator people with their DMs, a meeting they
 * all attend (N attendees), and N pending reminders (one per person, to that person). Starts the
 * app (child process, simulator on, its own redis-server) with the default recipient and group
 * limits; only the simulator's platform send rate is raised, so the row measures our pipeline up
 * to the platform adapter, not the platform's limit. Once it idles, RSS is sampled (the idle
 * memory row), then every reminder is set due at one moment ~REMINDERS_LEAD_S (20) s ahead and its
 * fire job (which the app re-created at start for the seeded far-off time) replaced as the app's
 * scheduler does it. Lateness of each reminder is the time from the due
 * moment to the simulator storing its card (`SimMessage.createdAt`, card id `rem-<id>-...`);
 * every reminder id is counted: none may be lost or doubled. RSS of the app is sampled from
 * /proc every 200 ms through the burst (the peak memory row).
 *
 * Baselines, same run and Redis, before the app starts: a no-op BullMQ worker (the app's
 * schedule-worker concurrency) draining N delayed jobs due at once; a bare fastify process's RSS.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { createPrisma } from '../src/db/client.js';
import { applyMigrations } from '../src/db/migrate.js';
import { KEEP_JOBS, QUEUE_NAMES, type ScheduleJob } from '../src/queue/queues.js';
import { connectRedis } from '../src/redis/connection.js';
import { Scheduler } from '../src/services/scheduler.js';
import { seedDepartment } from '../tests/support/fanout.js';
import { delayedDrain } from './support/bullmq-baseline.js';
import { benchRun, runBench, stopChild } from './support/lifecycle.js';
import { BARE_FASTIFY, startUntilHealthy } from './support/processes.js';
import { QUICK, cpuMs, emitRow, mainThreadCpuMs, ms, percentile, rssMb } from './support/report.js';

const N = Number(process.env.REMINDERS_N ?? (QUICK ? 1000 : 10_000));
const LEAD_S = Number(process.env.REMINDERS_LEAD_S ?? 20);
const IDLE_S = Number(process.env.REMINDERS_IDLE_S ?? (QUICK ? 3 : 10));
const WAIT_S = Number(process.env.REMINDERS_WAIT_S ?? (QUICK ? 60 : 240));
const GOAL_MS = 3000;
const IDLE_GOAL_MB = 200;
const PEAK_GOAL_MB = 300;
const ORGANIZER = 'simulator:rem-organizer';

const run = benchRun('reminders', WAIT_S + 600);
let lastOutput: string[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (n: number) => (Number.isFinite(n) ? `${n.toFixed(0)} MB` : 'n/a');

async function main(): Promise<void> {
  const redis = await run.redis();
  const drain = await delayedDrain(redis.url, N, 3000);
  const baseP99 = percentile(drain.lateness, 99);
  console.log(`baseline: no-op BullMQ worker draining ${N} delayed jobs due at once: p50 ${ms(percentile(drain.lateness, 50), 0)}, p99 ${ms(baseP99, 0)} late (${drain.missing} unfinished)`);
  const bare = await startUntilHealthy(run, BARE_FASTIFY, {});
  await sleep(2000);
  const bareRss = rssMb(bare.child.pid!);
  await stopChild(bare.child, bare.exited);
  console.log(`baseline: bare fastify process RSS ${mb(bareRss)}`);

  const env: Record<string, string> = {
    DATABASE_URL: `file:${join(run.dir, 'huiwu.db')}`,
    HUIWU_DATA_DIR: run.dir,
    HUIWU_QUEUE_PREFIX: `benchrem${randomBytes(4).toString('hex')}`,
    REDIS_URL: redis.url,
    HUIWU_SIMULATOR: 'on',
    HUIWU_SIM_SEND_RATE: '100000',
  };
  await applyMigrations({ databaseUrl: env.DATABASE_URL! });
  const db = createPrisma(env.DATABASE_URL!);
  const seedStart = Date.now();
  const users = (await seedDepartment(db, '提醒压测部', N, 'rem')).map((id) => `simulator:${id}`);
  const meeting = await db.meeting.create({
    data: { title: '万人大会', startAt: new Date(Date.now() + 7 * 86_400_000), endAt: new Date(Date.now() + 7 * 86_400_000 + 3 * 3_600_000), venue: '主会场', conversationId: 'simulator:prep-group', creatorId: ORGANIZER, organizerIds: JSON.stringify([ORGANIZER]), organizers: { create: { userId: ORGANIZER } } },
  });
  const farFuture = new Date(Date.now() + 30 * 86_400_000);
  for (let i = 0; i < N; i += 500) {
    const slice = users.slice(i, i + 500);
    await db.attendee.createMany({ data: slice.map((userId, j) => ({ meetingId: meeting.id, userId, name: `参会人${i + j + 1}`, invitedBy: ORGANIZER, response: 'yes' })) });
    await db.reminder.createMany({
      data: slice.map((userId) => ({ creatorId: userId, sourceConversationId: `simulator:dm-${userId.slice('simulator:'.length)}`, targetKind: 'user', targetUserId: userId, text: '交会议材料', fireAt: farFuture, timeZone: 'Asia/Shanghai', status: 'pending' })),
    });
  }
  const reminderIds = (await db.reminder.findMany({ select: { id: true } })).map((r) => r.id);
  console.log(`seeded ${N} people, ${N} attendees, ${reminderIds.length} pending reminders in ${((Date.now() - seedStart) / 1000).toFixed(1)} s`);

  const app = await run.startApp(env);
  lastOutput = app.output;
  const pid = app.child.pid!;
  await sleep(IDLE_S * 1000);
  const idleSamples: number[] = [];
  for (let i = 0; i < 5; i++, await sleep(200)) idleSamples.push(rssMb(pid));
  const idleRss = idleSamples.sort((a, b) => a - b)[2]!;
  console.log(`app idle RSS ${mb(idleRss)} (${IDLE_S} s after ready; median of 5 samples)`);

  // Everything due at one moment; the fire jobs added as ReminderService.create adds them.
  const dueAt = new Date(Date.now() + LEAD_S * 1000);
  await db.reminder.updateMany({ data: { fireAt: dueAt } });
  const connection = connectRedis(redis.url).on('error', () => undefined);
  const queue = new Queue<ScheduleJob>(QUEUE_NAMES.schedule, { connection, prefix: env.HUIWU_QUEUE_PREFIX!, defaultJobOptions: KEEP_JOBS.schedule });
  const scheduler = new Scheduler(queue);
  for (let i = 0; i < reminderIds.length; i += 500) {
    // The app re-created the jobs of the pending reminders at start (for their far-off time): replace them.
    await Promise.all(reminderIds.slice(i, i + 500).map((id) => scheduler.cancel(`reminder-${id}-once`)));
    await Promise.all(reminderIds.slice(i, i + 500).map((id) => scheduler.at('reminder.fire', `reminder-${id}-once`, { reminderId: id }, dueAt)));
  }
  await queue.close();
  const lead = dueAt.getTime() - Date.now();
  console.log(`${reminderIds.length} fire jobs added; due in ${(lead / 1000).toFixed(1)} s`);
  if (lead < 0) console.log('WARNING: adding the jobs took longer than the lead: lateness includes it (raise REMINDERS_LEAD_S)');

  // Sample memory through the burst; count deliveries until all are in or the wait ends.
  const cpuBefore = cpuMs(pid);
  const mainBefore = mainThreadCpuMs(pid);
  let peakRss = idleRss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMb(pid) || 0)), 200);
  const deadline = dueAt.getTime() + WAIT_S * 1000;
  let delivered = 0;
  while (Date.now() < deadline) {
    await sleep(1000);
    delivered = await db.simMessage.count({ where: { cardId: { startsWith: 'rem-' } } });
    if (delivered >= N && Date.now() > dueAt.getTime() + 3000) break;
  }
  await sleep(1000); // a doubled send would show up right after the last one
  clearInterval(sampler);

  const cards = await db.simMessage.findMany({ where: { cardId: { startsWith: 'rem-' } }, select: { cardId: true, createdAt: true } });
  const perReminder = new Map<number, number[]>();
  for (const c of cards) {
    const id = Number(/^rem-(\d+)-/.exec(c.cardId!)?.[1]);
    perReminder.set(id, [...(perReminder.get(id) ?? []), c.createdAt.getTime()]);
  }
  const lost = reminderIds.filter((id) => !perReminder.has(id)).length;
  const doubled = [...perReminder.values()].filter((times) => times.length > 1).length;
  const lateness = reminderIds.map((id) => (perReminder.get(id)?.[0] ?? Infinity) - dueAt.getTime()).sort((a, b) => a - b);
  const [p50, p99] = [percentile(lateness, 50), percentile(lateness, 99)];
  const last = lateness.filter(Number.isFinite).at(-1) ?? NaN;
  console.log(`delivered ${perReminder.size} of ${N} reminders (${lost} lost, ${doubled} doubled); lateness p50 ${ms(p50, 0)}, p99 ${ms(p99, 0)}, last ${ms(last, 0)} (${(N / Math.max(1, last / 1000)).toFixed(0)}/s)`);
  // The burst's work on the app's event loop: no reminder can be handed over sooner than that.
  const mainMs = mainThreadCpuMs(pid) - mainBefore;
  console.log(`app peak RSS during the burst ${mb(peakRss)}; app CPU per reminder ${ms((cpuMs(pid) - cpuBefore) / N, 2)} (user + system), ${ms(mainMs / N, 2)} of it on the main thread`);
  if (lost) console.log(`app log (last lines):\n${app.output.slice(-10).join('\n')}`);
  await db.$disconnect();

  emitRow({
    row: 'reminders p99 late',
    goal: `${N} due at once: p99 <= 3 s, none lost/doubled`,
    figure: `${Number.isFinite(p99) ? ms(p99, 0) : `> ${WAIT_S} s`}${lost || doubled ? ` (${lost} lost, ${doubled} doubled)` : ''}`,
    baseline: `${ms(baseP99, 0)} (no-op BullMQ worker)`,
    ratio: Number.isFinite(p99) ? p99 / baseP99 : null,
    pass: p99 <= GOAL_MS && lost === 0 && doubled === 0,
    note: `p50 ${ms(p50, 0)}; sim send rate raised, other limits default`,
    limit: `the burst took ${ms(mainMs, 0)} of CPU on the app's main thread (${ms(mainMs / N, 2)} per reminder: its fire job's share, its outbound job, the send, the stored card); the last reminder cannot be out sooner. The goal needs <= ${ms(GOAL_MS / N, 2)} per reminder, about what the no-op BullMQ worker alone takes per job (its ${N} jobs: p99 ${ms(baseP99, 0)})`,
  });
  emitRow({
    row: 'memory idle RSS',
    goal: `<= ${IDLE_GOAL_MB} MB (${N} attendees + reminders)`,
    figure: mb(idleRss),
    baseline: `${mb(bareRss)} (bare fastify)`,
    ratio: idleRss / bareRss,
    pass: idleRss <= IDLE_GOAL_MB,
  });
  emitRow({
    row: 'memory peak RSS',
    goal: `<= ${PEAK_GOAL_MB} MB (reminder burst)`,
    figure: mb(peakRss),
    baseline: `${mb(bareRss)} (bare fastify)`,
    ratio: peakRss / bareRss,
    pass: peakRss <= PEAK_GOAL_MB,
  });
}

runBench(run, main, () => lastOutput);
