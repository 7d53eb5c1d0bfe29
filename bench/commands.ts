/**
 * `npm run bench:commands`: command round trip through the simulator under an open-loop load.
 *
 * The app runs as a child process (`src/main.ts`, simulator on, platform send limits raised) with
 * its own SQLite file and redis-server. COMMANDS_USERS (40) seeded people and COMMANDS_GROUPS (8)
 * groups send a mix of cheap commands (`帮助`, `提醒 列表`, `会议 列表`, half in DMs, half in groups)
 * at COMMANDS_RATE per second (200) for COMMANDS_SECONDS (30), on a fixed schedule that does not
 * wait for replies. A command's latency runs from its scheduled send time to the moment the
 * simulator stored the bot's reply (`SimMessage.createdAt` of `reply-simulator-msg-<id>-0`, read
 * from the database afterwards, so measuring adds no load). Replies missing 20 s after the last
 * send are counted. Baseline, same run, same Redis, before the app starts: chains of two BullMQ
 * job round trips (no-op workers) at the same rate. Goal: p99 <= 25 ms.
 * COMMANDS_WORKER_PROCESSES (0) is passed as HUIWU_WORKER_PROCESSES: the app's queue workers run in
 * that many child processes, and the app's CPU is the sum over it and its children.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createPrisma } from '../src/db/client.js';
import { applyMigrations } from '../src/db/migrate.js';
import { SimClient, addressed } from '../tests/support/sim-client.js';
import { jobRoundTrips } from './support/bullmq-baseline.js';
import { benchRun, runBench } from './support/lifecycle.js';
import { QUICK, emitRow, mainThreadCpuMs, ms, percentile, processTree, rssMb, treeCpuMs } from './support/report.js';
import { seedChats } from './support/seed.js';

const RATE = Number(process.env.COMMANDS_RATE ?? (QUICK ? 50 : 200));
const SECONDS = Number(process.env.COMMANDS_SECONDS ?? (QUICK ? 3 : 30));
const USERS = Number(process.env.COMMANDS_USERS ?? 40);
const GROUPS = Number(process.env.COMMANDS_GROUPS ?? 8);
const GRACE_MS = 20_000;
const GOAL_MS = 25;
const MIX = ['帮助', '提醒 列表', '会议 列表'];
const WORKER_PROCESSES = process.env.COMMANDS_WORKER_PROCESSES ?? '0';

const run = benchRun('commands', SECONDS * 3 + 240);
let lastOutput: string[] = [];

async function main(): Promise<void> {
  const redis = await run.redis();
  const base = await jobRoundTrips(redis.url, RATE, SECONDS);
  console.log(`baseline: two BullMQ job round trips at ${RATE}/s for ${SECONDS} s: p50 ${ms(percentile(base.latencies, 50))}, p99 ${ms(percentile(base.latencies, 99))} (${base.missing} unfinished)`);

  const env: Record<string, string> = {
    DATABASE_URL: `file:${join(run.dir, 'huiwu.db')}`,
    HUIWU_DATA_DIR: run.dir,
    HUIWU_QUEUE_PREFIX: `benchcmd${randomBytes(4).toString('hex')}`,
    REDIS_URL: redis.url,
    HUIWU_SIMULATOR: 'on',
    HUIWU_SIM_SEND_RATE: '100000',
    HUIWU_RECIPIENT_LIMIT_PER_MINUTE: '10000',
    HUIWU_GROUP_LIMIT_PER_MINUTE: '10000',
    HUIWU_RATE_LIMIT_SIM_PER_MINUTE: '1000000',
    HUIWU_RATE_LIMIT_USER_PER_MINUTE: '1000000',
    HUIWU_WORKER_PROCESSES: WORKER_PROCESSES,
  };
  await applyMigrations({ databaseUrl: env.DATABASE_URL! });
  const db = createPrisma(env.DATABASE_URL!);
  const chats = await seedChats(db, USERS, GROUPS);
  const app = await run.startApp(env);
  lastOutput = app.output;
  const sim = new SimClient(app.baseUrl);
  try {
    // The load: who says what where, in a fixed order; every other command in a group.
    const plan = Array.from({ length: Math.round(RATE * SECONDS) }, (_, n) => {
      const user = chats.users[n % chats.users.length]!;
      const group = chats.groups.find((g) => g.members.includes(user))!;
      const conversation = n % 2 === 0 ? `dm-${user}` : group.id;
      return { conversation, user, text: addressed(conversation, MIX[n % MIX.length]!) };
    });
    // Warm-up (JIT, caches), one round of every command in both kinds of chat, not measured.
    for (const p of plan.slice(0, 12)) await sim.ask(p.conversation, p.user, p.text, 30_000);

    const pids = processTree(app.child.pid!);
    console.log(`app processes: ${pids.length} (HUIWU_WORKER_PROCESSES=${WORKER_PROCESSES}); RSS after warm-up ${pids.map((p) => rssMb(p).toFixed(0)).join(' + ')} MB`);
    const cpuBefore = treeCpuMs(app.child.pid!);
    const mainBefore = mainThreadCpuMs(app.child.pid!);
    const sent = new Map<number, number>(); // simulator message id -> scheduled time (epoch ms)
    let sendErrors = 0;
    let firstSendError: string | undefined;
    const t0 = Date.now() + 200;
    const posts: Promise<void>[] = [];
    for (const [n, p] of plan.entries()) {
      const due = t0 + (n * 1000) / RATE;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      posts.push(
        sim.say(p.conversation, p.user, p.text).then(
          (id) => void sent.set(id, due),
          (error: unknown) => {
            sendErrors++;
            firstSendError ??= error instanceof Error ? error.message : String(error);
          },
        ),
      );
    }
    const lastSend = Date.now();
    await Promise.race([Promise.all(posts), new Promise((r) => setTimeout(r, GRACE_MS))]);
    console.log(`sent ${plan.length} commands at ${RATE}/s in ${((lastSend - t0) / 1000).toFixed(1)} s (${sendErrors} send errors${firstSendError ? `, first: ${firstSendError.slice(0, 200)}` : ''})`);

    // Wait (polling the database: the state is in another process) until every reply is stored or the grace ends.
    const replyId = (id: number) => `reply-simulator-msg-${id}-0`;
    let replies: Array<{ outboundId: string | null; createdAt: Date }> = [];
    for (;;) {
      replies = await db.simMessage.findMany({ where: { outboundId: { in: [...sent.keys()].map(replyId) } }, select: { outboundId: true, createdAt: true } });
      if (replies.length >= plan.length || Date.now() >= lastSend + GRACE_MS) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    // Includes what the reply tail needed; the polling above is one read per half second.
    const cpuMs = treeCpuMs(app.child.pid!) - cpuBefore;
    const cpuPerCommand = cpuMs / plan.length;
    // With worker processes the commands run in the children: the parent's main thread says nothing then.
    const mainMs = WORKER_PROCESSES === '0' ? mainThreadCpuMs(app.child.pid!) - mainBefore : NaN;
    const mainPerCommand = mainMs / plan.length;
    const mainBusy = mainMs / (Date.now() - t0);
    // Per reply too: when the app falls behind, the commands it did not get to cost it little.
    console.log(`app CPU per command: ${ms(cpuPerCommand, 2)}, per reply stored: ${ms(cpuMs / Math.max(1, replies.length), 2)} (user + system; not inflated by other load)`);
    const repliedAt = new Map(replies.map((r) => [r.outboundId!, r.createdAt.getTime()]));
    const latencies: number[] = [];
    for (const [id, due] of sent) {
      const at = repliedAt.get(replyId(id));
      if (at !== undefined) latencies.push(at - due);
    }
    // A missing reply counts as slower than any: with more than 1% missing, p99 is "> grace".
    const missing = plan.length - latencies.length;
    for (let i = 0; i < missing; i++) latencies.push(Infinity);
    latencies.sort((a, b) => a - b);
    const [p50, p95, p99] = [50, 95, 99].map((p) => percentile(latencies, p)) as [number, number, number];
    console.log(`round trip (scheduled send -> reply stored): p50 ${ms(p50)}, p95 ${ms(p95)}, p99 ${ms(p99)}, max ${ms(latencies.at(-1) ?? NaN)} (n/a: beyond the grace)`);
    console.log(`replies missing ${GRACE_MS / 1000} s after the last send: ${missing} of ${plan.length}`);

    const baseP99 = percentile(base.latencies, 99);
    emitRow({
      row: 'commands p99',
      goal: `p99 <= ${GOAL_MS} ms at ${RATE}/s`,
      figure: `${Number.isFinite(p99) ? ms(p99) : `> ${GRACE_MS / 1000} s`}${missing ? ` (${missing} missing)` : ''}`,
      baseline: `${ms(baseP99)} (2 BullMQ round trips)`,
      ratio: Number.isFinite(p99) ? p99 / baseP99 : null,
      pass: p99 <= GOAL_MS && missing === 0,
      note: `p50 ${ms(p50)} p95 ${ms(p95)}; ${plan.length} commands over ${SECONDS} s; ${sendErrors} sends refused or failed; app CPU ${ms(cpuPerCommand, 2)} per command; ${WORKER_PROCESSES} worker processes`,
      limit: Number.isFinite(mainMs)
        ? `two BullMQ job round trips doing nothing (what a command needs at least) are p99 ${ms(baseP99)} here, and a command's own work on the app's main thread ${ms(mainPerCommand, 2)} on average: about ${ms(baseP99 + mainPerCommand)} before any queueing${baseP99 + mainPerCommand > GOAL_MS ? `, past the ${GOAL_MS} ms goal` : ''}; the main thread was busy ${(mainBusy * 100).toFixed(0)}% of the run, so commands that arrive together also wait for each other`
        : `two BullMQ job round trips doing nothing (what a command needs at least) are p99 ${ms(baseP99)} here`,
    });
  } finally {
    await db.$disconnect();
  }
}

runBench(run, main, () => lastOutput);
