/**
 * `npm run bench:scale`: Huiwu on PostgreSQL and one Redis, with one instance and then with three.
 * Each run: 2,000 people each set a reminder by command (spread over the instances: the command
 * throughput), then a 5,000-person invitation fan-out is sent while the 2,000 reminders fall due
 * together; halfway through the fan-out the instance holding the coordinator lease is killed with
 * SIGKILL (with one instance it is started again, with three the others carry on).
 *
 * Printed per run: messages sent, lost and duplicated (must both be 0), commands per second, the
 * send rate against the configured platform limit, reminder lateness (p50/p99/max), lease takeover.
 *
 * Everything is private: a PostgreSQL cluster (Debian's postgresql, as the tests use) and a
 * redis-server under a temp folder, a fresh database and queue prefix per run, the instances as
 * child processes (`src/main.ts`). Knobs (environment): SCALE_INSTANCES (1,3), SCALE_INVITES
 * (5000), SCALE_REMINDERS (2000), HUIWU_SIM_SEND_RATE (200), SCALE_TIMEOUT_S (600 per run),
 * SCALE_KILL (1; 0 = no kill). Figures are printed, not asserted (exit 1 on a loss or duplicate).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createPrisma, type PrismaClient } from '../src/db/client.js';
import { applyMigrations } from '../src/db/migrate.js';
import { startPrivatePostgres } from '../src/db/private-postgres.js';
import { startPrivateRedis } from '../src/redis/private-redis.js';
import { startAppProcess, type AppProcess } from '../tests/support/app-process.js';
import { fanoutReport, invitesSent, inviteOutboundPrefix, seedDepartment, waitFor } from '../tests/support/fanout.js';
import { SimClient } from '../tests/support/sim-client.js';
import { databaseUrl } from '../tests/support/postgres-setup.js';

const COUNTS = (process.env.SCALE_INSTANCES ?? '1,3').split(',').map(Number);
const INVITES = Number(process.env.SCALE_INVITES ?? 5000);
const REMINDERS = Math.min(Number(process.env.SCALE_REMINDERS ?? 2000), INVITES);
const RATE = Number(process.env.HUIWU_SIM_SEND_RATE ?? 200);
const TIMEOUT_MS = Number(process.env.SCALE_TIMEOUT_S ?? 600) * 1000;
const KILL = process.env.SCALE_KILL !== '0';
const DEPARTMENT = '集团大会';
const GROUP = 'prep-group';

const dir = mkdtempSync(join(tmpdir(), 'huiwu-bench-scale-'));
const children = new Set<AppProcess>();
const stops: Array<() => Promise<void>> = [];

async function cleanup(): Promise<void> {
  for (const app of children) app.child.kill('SIGKILL');
  await Promise.all([...children].map((a) => a.exited));
  children.clear();
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
  stops.length = 0;
  rmSync(dir, { recursive: true, force: true });
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void cleanup().finally(() => process.exit(130)));

const secs = (ms: number) => (ms / 1000).toFixed(1);
const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

async function start(env: Record<string, string>): Promise<AppProcess> {
  const app = await startAppProcess(env, 120_000);
  children.add(app);
  void app.exited.then(() => children.delete(app));
  return app;
}

async function coordinatorOf(apps: AppProcess[]): Promise<number> {
  for (let i = 0; i < apps.length; i++) {
    const body = (await (await fetch(`${apps[i]!.baseUrl}/readyz`)).json()) as { instance: { coordinator: boolean } };
    if (body.instance.coordinator) return i;
  }
  return -1;
}

/** Runs `fn` over `items` with at most `n` at a time. */
async function pool<T>(items: T[], n: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  }));
}

interface RunFigures {
  instances: number;
  sent: number;
  lost: number;
  duplicated: number;
  commandsPerSecond: number;
  sendRate: number;
  peak: number;
  lateness: { p50: number; p99: number; max: number };
  takeoverMs: number | null;
}

async function run(instances: number, serverUrl: string, redisUrl: string): Promise<RunFigures> {
  const name = `bench${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const env: Record<string, string> = {
    DATABASE_URL: databaseUrl(serverUrl, name),
    HUIWU_DATA_DIR: join(dir, name),
    HUIWU_QUEUE_PREFIX: name,
    REDIS_URL: redisUrl,
    HUIWU_SIMULATOR: 'on',
    HUIWU_SIM_SEND_RATE: String(RATE),
    HUIWU_RECIPIENT_LIMIT_PER_MINUTE: '10000',
    HUIWU_GROUP_LIMIT_PER_MINUTE: '10000',
    HUIWU_RATE_LIMIT_SIM_PER_MINUTE: '1000000',
    HUIWU_RATE_LIMIT_USER_PER_MINUTE: '1000000',
    HUIWU_JOB_LOCK_MS: '5000',
    HUIWU_LEASE_TTL_MS: '5000',
    HUIWU_FANOUT_PROGRESS_MS: '2000',
  };
  await applyMigrations({ databaseUrl: env.DATABASE_URL! });
  const db: PrismaClient = createPrisma(env.DATABASE_URL!);
  try {
    const users = await seedDepartment(db, DEPARTMENT, INVITES, 'sc');
    const apps: AppProcess[] = [];
    for (let i = 0; i < instances; i++) apps.push(await start(env));
    const sims = apps.map((a) => new SimClient(a.baseUrl));
    console.log(`\n--- ${instances} instance(s): ${INVITES} invitees, ${REMINDERS} reminders, limit ${RATE}/s ---`);

    const created = await sims[0]!.ask(GROUP, 'wangfang', '会议 新建 集团年会 后天下午3点 地点 主会场', 60_000);
    const meetingId = Number(/#(\d+)/.exec(created.text ?? '')?.[1]);
    if (!meetingId) throw new Error(`meeting not created: ${created.text}`);

    // Commands, round robin over the instances as a load balancer would spread them.
    const delayS = Math.max(30, Math.ceil(REMINDERS / 40));
    const commandsFrom = users.slice(0, REMINDERS);
    const eventsBefore = await db.inboundEvent.count();
    const commandsStart = Date.now();
    await pool(commandsFrom, 32, async (user, i) => {
      await sims[i % instances]!.say(`dm-${user}`, user, `提醒 ${delayS}秒后 规模测试提醒 ${user}`);
    });
    await waitFor('every command processed', async () => (await db.inboundEvent.count()) - eventsBefore >= REMINDERS, TIMEOUT_MS, 100);
    const commandsMs = Date.now() - commandsStart;
    const commandsPerSecond = (REMINDERS / commandsMs) * 1000;
    console.log(`${REMINDERS} commands processed in ${secs(commandsMs)} s: ${commandsPerSecond.toFixed(0)} commands/s`);

    // The fan-out starts so that the reminders fall due while it is being sent.
    const firstDue = (await db.reminder.aggregate({ _min: { fireAt: true } }))._min.fireAt!.getTime();
    const inviteAt = firstDue - Math.min(10_000, (INVITES / RATE) * 300);
    if (inviteAt > Date.now()) await new Promise((r) => setTimeout(r, inviteAt - Date.now()));
    const invitedAt = Date.now();
    await sims[instances - 1]!.say(GROUP, 'wangfang', `@会务助手 会议 邀请 #${meetingId} 部门 ${DEPARTMENT}`);

    let killedAt: number | undefined;
    let takeoverMs: number | null = null;
    if (KILL) {
      await waitFor('half the invitations sent', async () => (await invitesSent(db, meetingId)) >= INVITES / 2, TIMEOUT_MS, 50);
      const victim = await coordinatorOf(apps);
      apps[victim]!.child.kill('SIGKILL');
      killedAt = Date.now();
      await apps[victim]!.exited;
      const [dead] = apps.splice(victim, 1);
      sims.splice(victim, 1);
      if (apps.length === 0) {
        await db.$disconnect();
        apps.push(await start(env));
        sims.push(new SimClient(apps[0]!.baseUrl));
      } else {
        await waitFor('a lease takeover', async () => (await coordinatorOf(apps)) >= 0, 30_000, 50);
      }
      takeoverMs = Date.now() - killedAt;
      console.log(`SIGKILL of the lease holder (pid ${dead!.child.pid}) at ${secs(killedAt - invitedAt)} s into the fan-out; ${apps.length === instances ? 'restarted' : 'another instance took the lease'} after ${secs(takeoverMs)} s`);
    }

    await waitFor('every invitation and reminder delivered', async () => {
      const pending = await db.outboundMessage.count({ where: { status: 'pending' } });
      const fired = await db.reminder.count({ where: { status: { not: 'pending' } } });
      return pending === 0 && fired >= REMINDERS && (await db.attendee.count({ where: { meetingId } })) === INVITES;
    }, TIMEOUT_MS, 250);

    // ---- figures, read from the database and the simulator's store ---------------
    const report = await fanoutReport(db, meetingId, killedAt);
    const botMessages = await db.simMessage.findMany({ where: { fromId: 'bot' }, select: { conversationId: true, cardId: true, text: true, createdAt: true, outboundId: true } });
    const reminders = await db.reminder.findMany({ select: { id: true, fireAt: true, targetUserId: true } });
    const reminderCards = new Map<number, number[]>();
    for (const m of botMessages) {
      const id = /^rem-(\d+)-/.exec(m.cardId ?? '')?.[1];
      if (id) reminderCards.set(Number(id), [...(reminderCards.get(Number(id)) ?? []), m.createdAt.getTime()]);
    }
    const lateness = reminders
      .map((r) => (reminderCards.get(r.id)?.[0] ?? NaN) - r.fireAt!.getTime())
      .filter((x) => !Number.isNaN(x))
      .sort((a, b) => a - b);
    const repliesPer = new Map<string, number>();
    for (const m of botMessages) if (m.text?.includes('已设置提醒')) repliesPer.set(m.conversationId, (repliesPer.get(m.conversationId) ?? 0) + 1);
    const lost = report.lost.length + reminders.filter((r) => !reminderCards.has(r.id)).length + commandsFrom.filter((u) => !repliesPer.has(`dm-${u}`)).length;
    const duplicated =
      report.duplicateCards + report.duplicateConversations + [...reminderCards.values()].filter((c) => c.length > 1).length + [...repliesPer.values()].filter((n) => n > 1).length;

    // Send rate: platform calls per second while sending, against the limit (one limit for all instances).
    // From the first to the last invitation the platform stored, every bot message in between counts.
    const inviteTimes = botMessages.filter((m) => m.cardId?.startsWith(`inv-m${meetingId}-`)).map((m) => m.createdAt.getTime());
    const [from, to] = [Math.min(...inviteTimes), Math.max(...inviteTimes)];
    const times = botMessages.map((m) => m.createdAt.getTime()).filter((t) => t >= from && t <= to).sort((a, b) => a - b);
    const span = times.at(-1)! - times[0]!;
    const gap = killedAt && killedAt < to ? (times.find((t) => t > killedAt) ?? killedAt) - killedAt : 0;
    const sendRate = ((times.length - 1) / Math.max(1, span - gap)) * 1000;
    let peak = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i]! - times[j]! >= 1000) j++;
      peak = Math.max(peak, i - j + 1);
    }
    const figures: RunFigures = {
      instances,
      sent: botMessages.length,
      lost,
      duplicated,
      commandsPerSecond,
      sendRate,
      peak,
      lateness: { p50: quantile(lateness, 0.5), p99: quantile(lateness, 0.99), max: lateness.at(-1) ?? NaN },
      takeoverMs,
    };
    console.log(`messages sent          ${figures.sent} (invitations ${report.byStatus.sent ?? 0}/${INVITES}, reminder cards ${reminderCards.size}/${REMINDERS}, replies ${repliesPer.size}/${REMINDERS})`);
    console.log(`lost / duplicated      ${lost} / ${duplicated}${report.repeatedSendsAbsorbed ? ` (${report.repeatedSendsAbsorbed} sends repeated after the kill, absorbed by the simulator's outboundId)` : ''}`);
    console.log(`send rate              ${sendRate.toFixed(0)}/s = ${pct(sendRate / RATE)} of the ${RATE}/s limit (while the fan-out was sent, restart gap excluded); busiest 1 s: ${peak}`);
    console.log(`reminder lateness      p50 ${secs(figures.lateness.p50)} s, p99 ${secs(figures.lateness.p99)} s, max ${secs(figures.lateness.max)} s`);
    for (const app of [...children]) app.child.kill('SIGTERM');
    await Promise.all([...children].map((a) => a.exited));
    return figures;
  } finally {
    await db.$disconnect();
    const drop = new pg.Client({ connectionString: serverUrl });
    await drop.connect();
    await drop.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await drop.end();
  }
}

async function main(): Promise<void> {
  // Its own temp folder: when we are root the server runs as `postgres`, which cannot enter `dir` (0700).
  const pgDir = mkdtempSync(join(tmpdir(), 'huiwu-bench-pg-'));
  stops.push(async () => rmSync(pgDir, { recursive: true, force: true }));
  const postgres = await startPrivatePostgres(pgDir);
  stops.push(() => postgres.stop());
  const redis = await startPrivateRedis(join(dir, 'redis'), () => undefined);
  stops.push(() => redis.release());
  const results: RunFigures[] = [];
  for (const n of COUNTS) results.push(await run(n, postgres.url, redis.url));

  console.log('\n=== bench:scale (PostgreSQL, one Redis) ===');
  console.log('| instances | sent | lost | duplicated | commands/s | send rate (limit) | busiest 1 s | reminder lateness p50 / p99 / max | lease back after kill |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    console.log(
      `| ${r.instances} | ${r.sent} | ${r.lost} | ${r.duplicated} | ${r.commandsPerSecond.toFixed(0)} | ${r.sendRate.toFixed(0)}/s (${RATE}/s) | ${r.peak} | ${secs(r.lateness.p50)} / ${secs(r.lateness.p99)} / ${secs(r.lateness.max)} s | ${r.takeoverMs === null ? '-' : `${secs(r.takeoverMs)} s`} |`,
    );
  }
  process.exitCode = results.every((r) => r.lost === 0 && r.duplicated === 0) ? 0 : 1;
}

main()
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    for (const app of children) console.error(app.output.slice(-30).join('\n'));
    process.exitCode = 2;
  })
  .finally(cleanup);
