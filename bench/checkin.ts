/**
 * `npm run bench:checkin [-- --minutes 5 --devices 40 --rate 300]`: the door at peak. One app
 * instance (the real entry point as a child process, simulator on, its own SQLite file and
 * redis-server); `rate` confirmed attendees per minute arrive and each valid code is scanned once
 * by one of `devices` signed-in scanner pages (4 lanes open to everyone), through the page's own
 * HTTP API (session cookie, CSRF token). Prints p50/p95/p99 scan-to-verdict (request sent to
 * verdict received), admissions, double admissions (people admitted by more than one scan: must
 * be 0 online) and lost scans (scans answered but not recorded, or not answered: must be 0).
 * Target: p95 <= 300 ms. The temp folder and child processes are removed at the end.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createPrisma } from '../src/db/client.js';
import { applyMigrations } from '../src/db/migrate.js';
import { startPrivateRedis } from '../src/redis/private-redis.js';
import { signAdmission } from '../src/services/admission.js';
import { startAppProcess, type AppProcess } from '../tests/support/app-process.js';
import { SimClient } from '../tests/support/sim-client.js';
import { emitRow } from './support/report.js';

const { values: args } = parseArgs({
  options: { minutes: { type: 'string', default: '5' }, devices: { type: 'string', default: '40' }, rate: { type: 'string', default: '300' } },
});
const MINUTES = Number(args.minutes);
const DEVICES = Number(args.devices);
const RATE = Number(args.rate);
const TOTAL = Math.round(MINUTES * RATE);
const LANES = ['A区', 'B区', 'C区', 'D区'];
const GROUP = 'prep-group';
const ORGANIZER = 'simulator:wangfang';

const dir = mkdtempSync(join(tmpdir(), 'huiwu-bench-checkin-'));
let app: AppProcess | null = null;
let redisRelease: (() => Promise<void>) | null = null;

async function cleanup(): Promise<void> {
  if (app) {
    app.child.kill('SIGTERM');
    const exited = await Promise.race([app.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 30_000))]);
    if (!exited) app.child.kill('SIGKILL');
    app = null;
  }
  await redisRelease?.().catch(() => undefined);
  redisRelease = null;
  rmSync(dir, { recursive: true, force: true });
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void cleanup().finally(() => process.exit(130)));
process.once('exit', () => {
  app?.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Device {
  cookie: string;
  csrf: string;
  base: string;
}

async function signIn(baseUrl: string, token: string): Promise<Device> {
  const res = await fetch(`${baseUrl}/auth/link/${token}`, { redirect: 'manual' });
  if (res.status !== 303) throw new Error(`sign-in failed: ${res.status}`);
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const base = res.headers.get('location')!;
  const html = await (await fetch(`${baseUrl}${base}`, { headers: { cookie, accept: 'text/html' } })).text();
  const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(html)?.[1];
  if (!csrf) throw new Error('scanner page without a CSRF token');
  return { cookie, csrf, base };
}

async function main(): Promise<void> {
  const redis = await startPrivateRedis(join(dir, 'redis'), () => undefined);
  redisRelease = redis.release;
  const admissionKey = randomBytes(32);
  const env: Record<string, string> = {
    DATABASE_URL: `file:${join(dir, 'huiwu.db')}`,
    HUIWU_DATA_DIR: dir,
    HUIWU_QUEUE_PREFIX: `benchci${randomBytes(4).toString('hex')}`,
    REDIS_URL: redis.url,
    HUIWU_SIMULATOR: 'on',
    HUIWU_ADMISSION_KEY: admissionKey.toString('hex'),
    HUIWU_RECIPIENT_LIMIT_PER_MINUTE: '10000',
    HUIWU_GROUP_LIMIT_PER_MINUTE: '10000',
    // Forty devices sign in from one address within seconds (the venue's network behind one NAT too).
    HUIWU_RATE_LIMIT_SIGNIN_PER_MINUTE: '1000',
  };
  await applyMigrations({ databaseUrl: env.DATABASE_URL!, migrationsDir: join(process.cwd(), 'prisma', 'migrations') });
  app = await startAppProcess(env, 90_000);
  const sim = new SimClient(app.baseUrl);
  const db = createPrisma(env.DATABASE_URL!);
  try {
    const created = await sim.ask(GROUP, 'wangfang', '会议 新建 千人大会 30分钟后 地点 主会场');
    const meetingId = Number(/#(\d+)/.exec(created.text ?? '')?.[1]);
    if (!meetingId) throw new Error(`meeting not created: ${created.text}`);
    for (const lane of LANES) {
      const reply = await sim.ask(GROUP, 'wangfang', `签到 通道 #${meetingId} 添加 ${lane} 所有人`);
      if (!reply.text?.includes(lane)) throw new Error(`lane not added: ${reply.text}`);
    }
    const lanes = await db.checkinLane.findMany({ where: { meetingId, name: { in: LANES } }, orderBy: { id: 'asc' } });

    // Confirmed attendees (imported guests: no chat account, so no cards to send) and their codes.
    const seedStart = Date.now();
    for (let i = 0; i < TOTAL; i += 500) {
      await db.attendee.createMany({
        data: Array.from({ length: Math.min(500, TOTAL - i) }, (_, j) => ({ meetingId, name: `来宾${String(i + j + 1).padStart(5, '0')}`, response: 'yes', invitedBy: ORGANIZER })),
      });
    }
    const attendees = await db.attendee.findMany({ where: { meetingId }, select: { id: true }, orderBy: { id: 'asc' } });
    const expiresAt = new Date(Date.now() + 7 * 86_400_000);
    const codes = attendees.map((a) => signAdmission(admissionKey, { meetingId, attendeeId: a.id, version: 1, expiresAt }));
    // Scanner links as `签到 扫码` issues them (single-use rows, only the hash stored), one per device.
    const tokens = Array.from({ length: DEVICES }, () => randomBytes(32).toString('base64url'));
    await db.pageLink.createMany({
      data: tokens.map((token, i) => ({
        tokenHash: createHash('sha256').update(token).digest('hex'),
        userId: ORGANIZER,
        target: `/checkin/m${meetingId}/l${lanes[i % lanes.length]!.id}`,
        expiresAt: new Date(Date.now() + 600_000),
      })),
    });
    const devices = await Promise.all(tokens.map((token) => signIn(app!.baseUrl, token)));
    console.log(`seeded ${TOTAL} confirmed attendees in ${((Date.now() - seedStart) / 1000).toFixed(1)} s; ${DEVICES} devices signed in on ${LANES.length} lanes`);
    console.log(`scanning ${RATE} codes/min for ${MINUTES} min (one scan every ${(60_000 / RATE).toFixed(0)} ms, each device every ${((60_000 / RATE) * DEVICES / 1000).toFixed(1)} s)`);

    const latencies: number[] = [];
    const verdicts = new Map<string, number>();
    const scanIds: string[] = [];
    let unanswered = 0;
    const interval = 60_000 / RATE;
    const started = Date.now();
    const inflight: Promise<void>[] = [];
    for (let i = 0; i < TOTAL; i++) {
      const due = started + i * interval;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
      const device = devices[i % DEVICES]!;
      const scanId = `bench${i.toString(36).padStart(6, '0')}${randomBytes(4).toString('hex')}`;
      scanIds.push(scanId);
      inflight.push(
        (async () => {
          const t0 = performance.now();
          try {
            const res = await fetch(`${app!.baseUrl}${device.base}/api/scan`, {
              method: 'POST',
              headers: { cookie: device.cookie, 'x-csrf-token': device.csrf, 'content-type': 'application/json', accept: 'application/json' },
              body: JSON.stringify({ scanId, code: codes[i] }),
            });
            const body = (await res.json()) as { verdict?: string };
            latencies.push(performance.now() - t0);
            const v = res.ok ? (body.verdict ?? '?') : `http-${res.status}`;
            verdicts.set(v, (verdicts.get(v) ?? 0) + 1);
          } catch {
            unanswered++;
          }
        })(),
      );
      if ((i + 1) % RATE === 0) {
        const sorted = [...latencies].sort((a, b) => a - b);
        console.log(`  minute ${(i + 1) / RATE}: ${latencies.length} verdicts, p95 ${pct(sorted, 95).toFixed(0)} ms so far`);
      }
    }
    await Promise.all(inflight);
    const elapsed = (Date.now() - started) / 1000;

    const recorded = await db.checkinScan.findMany({ where: { scanId: { in: scanIds } }, select: { attendeeId: true, verdict: true } });
    const admittedBy = new Map<number, number>();
    for (const r of recorded) if (r.verdict === 'admitted' && r.attendeeId) admittedBy.set(r.attendeeId, (admittedBy.get(r.attendeeId) ?? 0) + 1);
    const doubles = [...admittedBy.values()].filter((n) => n > 1).length;
    const checkedIn = await db.attendee.count({ where: { meetingId, checkedInAt: { not: null } } });
    const lost = scanIds.length - recorded.length + unanswered;
    const sorted = [...latencies].sort((a, b) => a - b);
    const rates = await fetch(`${app.baseUrl}${devices[0]!.base}/api/rates`, { headers: { cookie: devices[0]!.cookie, accept: 'application/json' } }).then((r) => r.json());

    console.log('');
    console.log(`| scans | elapsed | p50 ms | p95 ms | p99 ms | max ms | admissions | double admissions | lost scans |`);
    console.log(`|------:|--------:|-------:|-------:|-------:|-------:|-----------:|------------------:|-----------:|`);
    console.log(`| ${scanIds.length} | ${elapsed.toFixed(0)} s | ${pct(sorted, 50).toFixed(0)} | ${pct(sorted, 95).toFixed(0)} | ${pct(sorted, 99).toFixed(0)} | ${(sorted.at(-1) ?? NaN).toFixed(0)} | ${checkedIn} | ${doubles} | ${lost} |`);
    console.log('');
    console.log(`verdicts: ${JSON.stringify(Object.fromEntries(verdicts))}`);
    console.log(`lane rates at the end (last 5 min, per minute): ${JSON.stringify(rates.lanes)}`);
    const ok = pct(sorted, 95) <= 300 && doubles === 0 && lost === 0 && checkedIn === TOTAL;
    console.log(ok ? 'target met: p95 <= 300 ms, no double admission, no lost scan' : 'TARGET MISSED');
    emitRow({
      row: 'checkin p95',
      goal: 'p95 <= 300 ms, no double/lost',
      figure: `${pct(sorted, 95).toFixed(0)} ms`,
      baseline: '—',
      ratio: null,
      pass: ok,
      note: `${scanIds.length} scans at ${RATE}/min; ${doubles} double, ${lost} lost`,
    });
    process.exitCode = ok ? 0 : 1;
  } finally {
    await db.$disconnect();
    await cleanup();
  }
}

main().catch(async (error) => {
  console.error(error);
  await cleanup();
  process.exit(2);
});
