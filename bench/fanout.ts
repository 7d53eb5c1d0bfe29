/**
 * `npm run bench:fanout`: invites a 5,000-person department against the simulator with a
 * configured send rate, kills the app (SIGKILL) part-way, restarts it, and prints the achieved
 * send rate as a fraction of the limit, duplicates, losses and the final progress card.
 *
 * Everything is private to the run: a temp folder with its own SQLite file, its own redis-server
 * (unix socket), its own queue prefix; the app runs as a child process (`src/main.ts`). The run is
 * bounded in time and removes its temp folder and child processes, also on failure or Ctrl-C.
 *
 * Knobs (environment): FANOUT_N (5000), HUIWU_SIM_SEND_RATE (200), FANOUT_KILL_AT (0.4, fraction
 * sent before the kill; 0 = no kill), HUIWU_JOB_LOCK_MS (5000), HUIWU_FANOUT_PROGRESS_MS (1000),
 * FANOUT_TIMEOUT_S (derived from the size and rate), FANOUT_KEEP=1 (keep the temp folder).
 *
 * Rates are computed from the database afterwards: `OutboundMessage.sentAt` of the invitations
 * for the send rate (each side of the kill from its first to its last send, so the restart gap is
 * left out), `SimMessage.createdAt` for the busiest second the platform saw.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPrisma } from '../src/db/client.js';
import { applyMigrations } from '../src/db/migrate.js';
import { startPrivateRedis } from '../src/redis/private-redis.js';
import { startAppProcess, type AppProcess } from '../tests/support/app-process.js';
import { fanoutReport, invitesSent, inviteOutboundPrefix, seedDepartment, waitFor } from '../tests/support/fanout.js';
import { SimClient } from '../tests/support/sim-client.js';
import { emitRow } from './support/report.js';

const N = Number(process.env.FANOUT_N ?? 5000);
const RATE = Number(process.env.HUIWU_SIM_SEND_RATE ?? 200);
const KILL_AT = Number(process.env.FANOUT_KILL_AT ?? 0.4);
const LOCK_MS = Number(process.env.HUIWU_JOB_LOCK_MS ?? 5000);
const TIMEOUT_S = Number(process.env.FANOUT_TIMEOUT_S ?? Math.ceil((N / RATE) * 4 + LOCK_MS / 1000 + 120));
const DEPARTMENT = '大会代表团';
const GROUP = 'prep-group';

const dir = mkdtempSync(join(tmpdir(), 'huiwu-bench-'));
const children = new Set<AppProcess>();
let redisRelease: (() => Promise<void>) | null = null;

function cleanupSync(): void {
  for (const app of children) app.child.kill('SIGKILL');
  if (!process.env.FANOUT_KEEP) rmSync(dir, { recursive: true, force: true });
}

async function cleanup(): Promise<void> {
  for (const app of children) {
    app.child.kill('SIGTERM');
    const exited = await Promise.race([app.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 30_000))]);
    if (!exited) app.child.kill('SIGKILL');
  }
  children.clear();
  await redisRelease?.().catch(() => undefined);
  redisRelease = null;
  if (process.env.FANOUT_KEEP) console.error(`kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}

const watchdog = setTimeout(() => {
  console.error(`bench:fanout: gave up after ${TIMEOUT_S} s`);
  void cleanup().finally(() => process.exit(3));
}, TIMEOUT_S * 1000);
watchdog.unref();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void cleanup().finally(() => process.exit(130)));
process.once('exit', cleanupSync);

const secs = (ms: number) => (ms / 1000).toFixed(1);
const pct = (x: number) => `${(x * 100).toFixed(0)}%`;

async function start(env: Record<string, string>): Promise<AppProcess> {
  const app = await startAppProcess(env, 60_000);
  children.add(app);
  void app.exited.then(() => children.delete(app));
  return app;
}

async function main(): Promise<void> {
  const redis = await startPrivateRedis(join(dir, 'redis'), () => undefined);
  redisRelease = redis.release;
  const env: Record<string, string> = {
    DATABASE_URL: `file:${join(dir, 'huiwu.db')}`,
    HUIWU_DATA_DIR: dir,
    HUIWU_QUEUE_PREFIX: `bench${randomBytes(4).toString('hex')}`,
    REDIS_URL: redis.url,
    HUIWU_SIMULATOR: 'on',
    HUIWU_SIM_SEND_RATE: String(RATE),
    HUIWU_RECIPIENT_LIMIT_PER_MINUTE: '10000',
    HUIWU_JOB_LOCK_MS: String(LOCK_MS),
    HUIWU_FANOUT_PROGRESS_MS: process.env.HUIWU_FANOUT_PROGRESS_MS ?? '1000',
  };
  await applyMigrations({ databaseUrl: env.DATABASE_URL! });
  const db = createPrisma(env.DATABASE_URL!);
  try {
    const seedStart = Date.now();
    await seedDepartment(db, DEPARTMENT, N);
    console.log(`seeded ${N} users in ${DEPARTMENT} in ${secs(Date.now() - seedStart)} s; limit ${RATE}/s, job lock ${LOCK_MS} ms`);

    let app = await start(env);
    let sim = new SimClient(app.baseUrl);
    const created = await sim.ask(GROUP, 'wangfang', '会议 新建 千人大会 后天下午3点 地点 主会场');
    const meetingId = Number(/#(\d+)/.exec(created.text ?? '')?.[1]);
    if (!meetingId) throw new Error(`meeting not created: ${created.text}`);

    const invitedAt = Date.now();
    const reply = await sim.ask(GROUP, 'wangfang', `会议 邀请 #${meetingId} 部门 ${DEPARTMENT}`, 120_000);
    const enqueuedAt = Date.now();
    console.log(`invite reply after ${secs(enqueuedAt - invitedAt)} s: ${reply.text?.split('\n')[0]}`);

    // There is no event for "n cards sent" across processes: poll the database briefly.
    let killedAt: number | undefined;
    let restartedAt: number | undefined;
    if (KILL_AT > 0) {
      const atKill = await waitFor(`${pct(KILL_AT)} sent`, async () => {
        const sent = await invitesSent(db, meetingId);
        return sent >= N * KILL_AT && sent;
      }, TIMEOUT_S * 1000, 50);
      app.child.kill('SIGKILL');
      killedAt = Date.now();
      await app.exited;
      const sentAtKill = await invitesSent(db, meetingId);
      console.log(`SIGKILL at ${secs(killedAt - invitedAt)} s with ${atKill}/${N} marked sent (${sentAtKill} after the kill settled)`);
      // Our connection stays out of the way while the app applies migrations at start.
      await db.$disconnect();
      app = await start(env);
      sim = new SimClient(app.baseUrl);
      restartedAt = Date.now();
      const recovered = app.output.find((l) => l.includes('recovered pending work'));
      console.log(`restarted in ${secs(restartedAt - killedAt)} s${recovered ? ` (${JSON.parse(recovered).recovered} pending messages re-queued)` : ''}`);
    }

    await waitFor('every invitation sent', async () => {
      const open = await db.outboundMessage.count({ where: { id: { startsWith: inviteOutboundPrefix(meetingId) }, status: 'pending' } });
      return open === 0;
    }, TIMEOUT_S * 1000, 200);
    const allSentAt = Date.now();
    const finalCard = await waitFor('the progress card to finish', async () => {
      const r = await fanoutReport(db, meetingId);
      return r.progressCard?.status === 'done' && r.progressCard;
    }, Math.max(10_000, Number(env.HUIWU_FANOUT_PROGRESS_MS) * 5), 200);

    // ---- figures -------------------------------------------------------------
    const report = await fanoutReport(db, meetingId, killedAt);
    const rows = await db.outboundMessage.findMany({ where: { status: 'sent' }, select: { id: true, sentAt: true } });
    const invites = rows.filter((r) => r.id.startsWith(inviteOutboundPrefix(meetingId))).map((r) => r.sentAt!.getTime()).sort((a, b) => a - b);
    const everything = rows.map((r) => r.sentAt!.getTime()).sort((a, b) => a - b);
    const split = killedAt ?? Infinity;
    const phases = [invites.filter((t) => t <= split), invites.filter((t) => t > split)].filter((p) => p.length > 1);
    const steadyMs = phases.reduce((sum, p) => sum + (p.at(-1)! - p[0]!), 0);
    const steadyCount = phases.reduce((sum, p) => sum + p.length - 1, 0);
    const steadyRate = (steadyCount / steadyMs) * 1000;
    const sendMs = invites.at(-1)! - invites[0]!;
    const overallRate = (invites.length / (invites.at(-1)! - invitedAt)) * 1000;
    // Platform calls of every kind (invitations, progress updates, replies) in the same windows.
    const callsInPhases = phases.reduce((sum, p) => sum + everything.filter((t) => t >= p[0]! && t <= p.at(-1)!).length - 1, 0);
    const perSecond = new Map<number, number>();
    for (const t of invites) perSecond.set(Math.floor(t / 1000), (perSecond.get(Math.floor(t / 1000)) ?? 0) + 1);
    const fullSeconds = [...perSecond.entries()].sort((a, b) => a[0] - b[0]).slice(1, -1).map(([, n]) => n).sort((a, b) => a - b);
    const median = fullSeconds[Math.floor(fullSeconds.length / 2)] ?? 0;
    // Busiest 1-second span (sliding) of messages and card updates as the platform stored them:
    // what the platform would see at worst. (Card updates rewrite a row, so they are counted from
    // our side: the update's sentAt.)
    const received = (await db.simMessage.findMany({ where: { fromId: 'bot' }, select: { createdAt: true } })).map((m) => m.createdAt.getTime());
    const updates = (await db.outboundMessage.findMany({ where: { kind: 'card-update', status: 'sent' }, select: { sentAt: true } })).map((m) => m.sentAt!.getTime());
    const platformTimes = [...received, ...updates].sort((a, b) => a - b);
    let peak = 0;
    for (let i = 0, j = 0; i < platformTimes.length; i++) {
      while (platformTimes[i]! - platformTimes[j]! >= 1000) j++;
      peak = Math.max(peak, i - j + 1);
    }
    const gap = killedAt ? phases.length === 2 ? phases[1]![0]! - phases[0]!.at(-1)! : NaN : 0;

    console.log('');
    console.log('=== fan-out benchmark ===');
    console.log(`total invitations      ${report.attendees} (sent ${report.byStatus.sent ?? 0}, failed ${report.byStatus.failed ?? 0}, pending ${report.byStatus.pending ?? 0})`);
    console.log(`send limit             ${RATE}/s (simulator), per-recipient limit off`);
    console.log(`elapsed                ${secs(allSentAt - invitedAt)} s from the invite command to the last card (enqueue ${secs(enqueuedAt - invitedAt)} s, sending ${secs(sendMs)} s${killedAt ? `, restart gap ${secs(gap)} s` : ''})`);
    console.log(`steady send rate       ${steadyRate.toFixed(1)}/s = ${pct(steadyRate / RATE)} of the limit (invitations only, restart gap excluded; all platform calls ${((callsInPhases / steadyMs) * 1000).toFixed(1)}/s = ${pct((callsInPhases / steadyMs) * 1000 / RATE)})`);
    console.log(`median per second      ${median}/s (full seconds of sending); busiest 1 s span of platform calls ${peak}`);
    // Where a shortfall sits (start, kill, restart, end): invitations sent in each second from the invite command.
    const series = Array.from({ length: Math.ceil((invites.at(-1)! - invitedAt) / 1000) }, (_, s) => invites.filter((t) => t >= invitedAt + s * 1000 && t < invitedAt + (s + 1) * 1000).length);
    console.log(`sent in each second    ${series.join(' ')}`);
    console.log(`overall rate           ${overallRate.toFixed(1)}/s = ${pct(overallRate / RATE)} of the limit (invite command to last card, restart included)`);
    console.log(`duplicates             ${report.duplicateCards} cards stored twice, ${report.duplicateConversations} DMs with more than one invitation`);
    console.log(`losses                 ${report.lost.length} attendees without their card${report.lost.length ? ` (${report.lost.slice(0, 5).join(', ')}…)` : ''}`);
    if (killedAt) console.log(`crash re-sends         ${report.repeatedSendsAbsorbed} sends repeated after the restart, absorbed by the idempotency key (outboundId)`);
    console.log(`progress card          ${finalCard.body}`);
    const ok = report.lost.length === 0 && report.duplicateCards === 0 && report.duplicateConversations === 0 && (report.byStatus.sent ?? 0) === N;
    console.log(ok ? 'result                 OK: every card delivered exactly once' : 'result                 FAILED');
    emitRow({
      row: 'fanout rate',
      goal: `>= 95% of ${RATE}/s, kill+restart inside`,
      figure: `${steadyRate.toFixed(1)}/s (${pct(steadyRate / RATE)})`,
      baseline: `${RATE}/s (configured platform rate)`,
      ratio: steadyRate / RATE,
      pass: ok && steadyRate / RATE >= 0.95,
      note: `${N} invitations${killedAt ? ', SIGKILL + restart' : ''}; ${report.lost.length} lost, ${report.duplicateCards} doubled`,
    });
    process.exitCode = ok ? 0 : 1;
  } finally {
    await db.$disconnect();
  }
}

main()
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    for (const app of children) console.error(app.output.slice(-30).join('\n'));
    process.exitCode = 2;
  })
  .finally(async () => {
    clearTimeout(watchdog);
    await cleanup();
  });
