#!/usr/bin/env node
/**
 * `npm start` and `npm test` on a fresh machine (Node and npm only): installs what is missing,
 * then starts the app or runs the tests. Only node built-ins here: nothing is installed yet.
 *
 *   node scripts/run.mjs start   install deps, Redis if needed, generate the Prisma client, start
 *   node scripts/run.mjs test    the same, plus Chromium in CI, then typecheck and vitest
 *   node scripts/run.mjs faults  the same set-up, then only the fault suite (tests/faults)
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const mode = process.argv[2];
const extraArgs = process.argv.slice(3);

function say(line) {
  console.log(`[huiwu] ${line}`);
}

function fail(line) {
  console.error(`[huiwu] ${line}`);
  process.exit(1);
}

function run(cmd, args, opts = {}) {
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (result.status !== 0) fail(`\`${cmd} ${args.join(' ')}\` failed (exit ${result.status ?? result.signal})`);
}

function has(binary) {
  return spawnSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' }).status === 0;
}

function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19)) fail(`Node ${process.versions.node} is too old: Huiwu needs Node >= 20.19.`);
}

/** npm dependencies, re-installed whenever package-lock.json changes. */
function ensureNpmDependencies() {
  const lock = join(root, 'package-lock.json');
  const stamp = join(root, 'node_modules', '.huiwu-lock-hash');
  const hash = createHash('sha256').update(readFileSync(lock)).digest('hex');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) return;
  say('installing npm dependencies (npm ci)...');
  run('npm', ['ci', '--no-audit', '--no-fund']);
  writeFileSync(stamp, hash);
}

let aptUpdated = false;
/** Installs a Debian package when running as root with apt (index updated once per run); false when it cannot. */
function aptInstall(pkg, why) {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root || !has('apt-get')) return false;
  say(`installing ${pkg} (${why}) with apt-get...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) run('apt-get', ['update', '-qq'], { env });
  aptUpdated = true;
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', pkg], { env });
  return true;
}

/** A binary from a Debian package, installed when missing and we can. */
function ensureDebianPackage(binary, pkg, why) {
  if (has(binary)) return true;
  return aptInstall(pkg, why) && has(binary);
}

/** Survey charts need a CJK font, or every Chinese label renders as an empty box. */
const CJK_FONTS = ['/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc'];
function ensureCjkFont() {
  if (CJK_FONTS.some((f) => existsSync(f)) || (process.env.HUIWU_CJK_FONT && existsSync(process.env.HUIWU_CJK_FONT))) return;
  if (aptInstall('fonts-wqy-microhei', 'Chinese labels in chart images')) return;
  say('warning: no CJK font found; survey charts will fail. Install fonts-wqy-microhei (apt-get install fonts-wqy-microhei) or set HUIWU_CJK_FONT.');
}

function ensureRedis() {
  if (process.env.REDIS_URL) return;
  if (!ensureDebianPackage('redis-server', 'redis-server', 'the queue store')) {
    fail('redis-server is missing: install it (`sudo apt-get install redis-server`) or set REDIS_URL to a Redis server.');
  }
}

/**
 * The Redis Cluster test starts three redis-servers and joins them with redis-cli, which comes with
 * redis-tools, a dependency of Debian's redis-server: nothing beyond redis-server to install.
 */
function ensureRedisClusterTools() {
  if (ensureDebianPackage('redis-server', 'redis-server', 'the Redis Cluster test') && has('redis-cli')) return;
  if (process.env.CI) fail('CI needs redis-server and redis-cli (redis-tools) for the Redis Cluster test: `apt-get install redis-server`.');
  say('warning: redis-server or redis-cli not found: the Redis Cluster test is skipped. Install redis-server (`apt-get install redis-server`).');
  process.env.HUIWU_TEST_SKIP_REDIS_CLUSTER = '1';
}

/**
 * The database-facing tests run on PostgreSQL too, on a private cluster of Debian's server
 * (unless TEST_DATABASE_URL names one). Installed when we can; in CI it must be there.
 */
function ensurePostgresForTests() {
  if (process.env.TEST_DATABASE_URL) return;
  const found = () => existsSync('/usr/lib/postgresql') && readdirSync('/usr/lib/postgresql').some((v) => existsSync(join('/usr/lib/postgresql', v, 'bin', 'initdb')));
  if (found() || has('initdb')) return;
  if (aptInstall('postgresql', 'the PostgreSQL test runs') && found()) return;
  if (process.env.CI) fail('CI needs PostgreSQL for the PostgreSQL test runs: `apt-get install postgresql`, or set TEST_DATABASE_URL.');
  say('warning: PostgreSQL not found: only the SQLite tests run. Install it (`apt-get install postgresql`) or set TEST_DATABASE_URL.');
  process.env.HUIWU_TEST_SKIP_POSTGRES = '1';
}

/** The browser test must run in CI; elsewhere it skips with a reason when Chromium is absent. */
function ensureChromiumForCi() {
  if (!process.env.CI) return;
  if (!ensureDebianPackage('chromium', 'chromium', 'browser test')) fail('CI needs Chromium for the browser test: `apt-get install chromium`.');
}

async function generatePrisma() {
  const { generatePrismaClient } = await import('./prisma-generate.mjs');
  await generatePrismaClient({ root });
}

/** Runs a child with our signals forwarded, and exits with its code. */
function handOver(cmd, args) {
  const child = spawn(cmd, args, { cwd: root, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

checkNode();
ensureNpmDependencies();
ensureRedis();
ensureCjkFont();
if (mode === 'test') {
  ensureChromiumForCi();
  ensureRedisClusterTools();
  ensurePostgresForTests();
}
await generatePrisma();

const bin = (name) => join(root, 'node_modules', '.bin', name);
if (mode === 'start') {
  // Plain JavaScript at run time: no TypeScript compiler in the process (start-up, memory).
  const { buildApp } = await import('./build.mjs');
  await buildApp();
  handOver(process.execPath, ['.build/src/main.js', ...extraArgs]);
} else if (mode === 'test') {
  say('typechecking...');
  run(bin('tsc'), ['--noEmit', '-p', '.']);
  const summary = join(root, 'test-results', 'vitest.json');
  rmSync(summary, { force: true });
  const child = spawn(bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${summary}`, ...extraArgs], { cwd: root, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    // One plain closing line that any CI log reader understands.
    if (existsSync(summary)) {
      const r = JSON.parse(readFileSync(summary, 'utf8'));
      console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
    }
    process.exit(code ?? (signal ? 1 : 0));
  });
} else if (mode === 'faults') {
  // Its own table is the summary (scenario, expected, delivered, lost, duplicated).
  const child = spawn(bin('vitest'), ['run', 'tests/faults', ...extraArgs], { cwd: root, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  fail('usage: node scripts/run.mjs start|test|faults');
}
