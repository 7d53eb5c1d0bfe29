/**
 * `npm run bench:growth`: does a command get slower as the message tables grow?
 *
 * Two apps side by side (child processes, simulator on, each with its own SQLite file, one
 * redis-server with two queue prefixes): one with GROWTH_SMALL (1,000) rows in each of the message
 * tables (SimMessage, InboundEvent, OutboundMessage, Card), one with GROWTH_BIG (1,000,000; 100,000
 * with --quick), bulk-inserted by SQL before the app starts (a tenth of the simulator messages in
 * the conversations the commands use). The same commands (`帮助`, `提醒 列表`, `会议 列表`, in DMs
 * and groups) go to both apps alternately, one at a time, so a busy machine slows both alike.
 * Latency: send to the reply stored by the simulator (its `at`). Goal: the big app's median within
 * 20% of the small one's (ratio <= 1.2).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createPrisma } from '../src/db/client.js';
import { applyMigrations } from '../src/db/migrate.js';
import type { AppProcess } from '../tests/support/app-process.js';
import { SimClient, addressed } from '../tests/support/sim-client.js';
import { benchRun, runBench } from './support/lifecycle.js';
import { QUICK, emitRow, ms, percentile } from './support/report.js';
import { seedChats, type SeededChats } from './support/seed.js';

const SMALL = Number(process.env.GROWTH_SMALL ?? 1000);
const BIG = Number(process.env.GROWTH_BIG ?? (QUICK ? 100_000 : 1_000_000));
const COMMANDS = Number(process.env.GROWTH_COMMANDS ?? (QUICK ? 60 : 300));
const GOAL_RATIO = 1.2;
const MIX = ['帮助', '提醒 列表', '会议 列表'];

const run = benchRun('growth', 1800);
const outputs: string[][] = [];

/** `rows` rows in each message table, by recursive-CTE INSERTs; dates copied from rows Prisma wrote (same storage format). */
async function seedTables(databaseUrl: string, file: string, rows: number, chats: SeededChats): Promise<void> {
  const db = createPrisma(databaseUrl);
  await db.simMessage.create({ data: { conversationId: 'seed-template', fromId: 'bot', text: 'template', outboundId: 'seed-template' } });
  await db.outboundMessage.create({ data: { id: 'seed-template', platform: 'simulator', targetKind: 'conversation', targetId: 'simulator:seed-template', kind: 'send', payload: '{"type":"text","text":"x"}', priority: 5, status: 'sent', attempts: 1, sentAt: new Date() } });
  await db.card.create({ data: { id: 'seed-template', kind: 'reply', refId: 'seed-template', targetKind: 'conversation', targetId: 'simulator:seed-template', model: '{}' } });
  await db.inboundEvent.create({ data: { id: 'seed-template', platform: 'simulator', kind: 'message' } });
  await db.$disconnect();

  const raw = new Database(file);
  raw.pragma('journal_mode = WAL');
  const convs = [...chats.users.map((u) => `dm-${u}`), ...chats.groups.map((g) => g.id)];
  raw.exec(`CREATE TEMP TABLE bench_conv(n INTEGER PRIMARY KEY, id TEXT)`);
  const addConv = raw.prepare('INSERT INTO bench_conv(n, id) VALUES (?, ?)');
  convs.forEach((c, n) => addConv.run(n, c));
  const batch = 100_000;
  const tx = raw.transaction((from: number, to: number) => {
    const cte = `WITH RECURSIVE seq(i) AS (SELECT ${from} UNION ALL SELECT i + 1 FROM seq WHERE i < ${to - 1})`;
    // A tenth in the conversations the commands use, the rest spread over 1,000 others.
    raw.exec(`INSERT INTO SimMessage (conversationId, fromId, text, outboundId, createdAt)
      ${cte} SELECT CASE WHEN i % 10 = 0 THEN (SELECT id FROM bench_conv WHERE n = (i / 10) % ${convs.length}) ELSE 'seed-conv-' || (i % 1000) END,
        CASE WHEN i % 2 = 0 THEN 'bot' ELSE 'seed-user-' || (i % 500) END, '历史消息 ' || i, 'seed-out-' || i,
        (SELECT createdAt FROM SimMessage WHERE outboundId = 'seed-template') FROM seq`);
    raw.exec(`INSERT INTO InboundEvent (id, platform, kind, createdAt)
      ${cte} SELECT 'seed-ev-' || i, 'simulator', 'message', (SELECT createdAt FROM InboundEvent WHERE id = 'seed-template') FROM seq`);
    raw.exec(`INSERT INTO OutboundMessage (id, platform, targetKind, targetId, kind, payload, priority, status, attempts, sentAt, createdAt)
      ${cte} SELECT 'seed-out-' || i, 'simulator', 'conversation', 'simulator:seed-conv-' || (i % 1000), 'send', '{"type":"text","text":"历史消息"}', 5, 'sent', 1,
        (SELECT sentAt FROM OutboundMessage WHERE id = 'seed-template'), (SELECT createdAt FROM OutboundMessage WHERE id = 'seed-template') FROM seq`);
    raw.exec(`INSERT INTO Card (id, kind, refId, targetKind, targetId, model, version, createdAt, updatedAt)
      ${cte} SELECT 'seed-card-' || i, 'reply', 'seed-' || i, 'conversation', 'simulator:seed-conv-' || (i % 1000), '{}', 0,
        (SELECT createdAt FROM Card WHERE id = 'seed-template'), (SELECT updatedAt FROM Card WHERE id = 'seed-template') FROM seq`);
  });
  for (let from = 1; from < rows; from += batch) tx(from, Math.min(rows, from + batch));
  raw.exec('ANALYZE');
  raw.close();
}

async function prepare(label: string, rows: number, redisUrl: string): Promise<{ app: AppProcess; sim: SimClient; chats: SeededChats }> {
  const dir = join(run.dir, label);
  mkdirSync(dir);
  const env: Record<string, string> = {
    DATABASE_URL: `file:${join(dir, 'huiwu.db')}`,
    HUIWU_DATA_DIR: dir,
    HUIWU_QUEUE_PREFIX: `benchgrow${label}${randomBytes(3).toString('hex')}`,
    REDIS_URL: redisUrl,
    HUIWU_SIMULATOR: 'on',
    HUIWU_SIM_SEND_RATE: '100000',
    HUIWU_RECIPIENT_LIMIT_PER_MINUTE: '10000',
    HUIWU_GROUP_LIMIT_PER_MINUTE: '10000',
    HUIWU_RATE_LIMIT_SIM_PER_MINUTE: '1000000',
    HUIWU_RATE_LIMIT_USER_PER_MINUTE: '1000000',
  };
  await applyMigrations({ databaseUrl: env.DATABASE_URL! });
  const db = createPrisma(env.DATABASE_URL!);
  const chats = await seedChats(db, 20, 4);
  await db.$disconnect();
  const t0 = Date.now();
  await seedTables(env.DATABASE_URL!, join(dir, 'huiwu.db'), rows, chats);
  console.log(`${label}: ${rows.toLocaleString('en')} rows in each message table seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const app = await run.startApp(env);
  outputs.push(app.output);
  return { app, sim: new SimClient(app.baseUrl), chats };
}

async function main(): Promise<void> {
  const redis = await run.redis();
  const small = await prepare('small', SMALL, redis.url);
  const big = await prepare('big', BIG, redis.url);
  const plan = Array.from({ length: COMMANDS }, (_, n) => {
    const user = small.chats.users[n % small.chats.users.length]!;
    const group = small.chats.groups.find((g) => g.members.includes(user))!;
    const conversation = n % 2 === 0 ? `dm-${user}` : group.id;
    return { conversation, user, text: addressed(conversation, MIX[n % MIX.length]!) };
  });
  const time = async (sim: SimClient, p: (typeof plan)[number]) => {
    const t0 = Date.now();
    const id = await sim.say(p.conversation, p.user, p.text);
    const reply = await sim.nextBotMessage(p.conversation, id, (m) => m.text !== undefined, 30_000);
    return Date.parse(reply.at) - t0;
  };
  for (const p of plan.slice(0, 12)) for (const side of [small, big]) await time(side.sim, p);
  const times = { small: [] as number[], big: [] as number[] };
  for (const [n, p] of plan.entries()) {
    // Alternate which goes first, so neither always meets the other's leftover work.
    const order = n % 2 === 0 ? (['small', 'big'] as const) : (['big', 'small'] as const);
    for (const side of order) times[side].push(await time(side === 'small' ? small.sim : big.sim, p));
  }
  const stats = (list: number[]) => {
    const sorted = [...list].sort((a, b) => a - b);
    return { p50: percentile(sorted, 50), p95: percentile(sorted, 95) };
  };
  const [s, b] = [stats(times.small), stats(times.big)];
  console.log(`${SMALL.toLocaleString('en')} rows: p50 ${ms(s.p50)}, p95 ${ms(s.p95)}; ${BIG.toLocaleString('en')} rows: p50 ${ms(b.p50)}, p95 ${ms(b.p95)} (${COMMANDS} commands each, alternating)`);
  const ratio = b.p50 / s.p50;
  emitRow({
    row: 'growth p50 big/small',
    goal: `${BIG.toLocaleString('en')} vs ${SMALL.toLocaleString('en')} rows: <= +20%`,
    figure: `${ms(b.p50)} (${BIG.toLocaleString('en')} rows)`,
    baseline: `${ms(s.p50)} (${SMALL.toLocaleString('en')} rows)`,
    ratio,
    pass: ratio <= GOAL_RATIO,
    note: `p95 ${ms(b.p95)} vs ${ms(s.p95)}`,
  });
}

runBench(run, main, () => outputs.flat());
