/**
 * The web process apart from the queue workers (HUIWU_ROLE, HUIWU_WORKER_PROCESSES), as real
 * processes of `src/main.ts`. With one worker process the web process only takes the simulator's
 * requests: commands and reminders are handled and sent by its child, a killed child is started
 * again, and stopping the parent (or killing it) leaves no child behind. A `web` process alone is healthy and ready
 * without workers, and leaves what it accepted queued for a `worker` process.
 */
import { Queue } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { processAlive } from '../../src/process-alive.js';
import { QUEUE_NAMES } from '../../src/queue/queues.js';
import { connectRedis, queuePrefix } from '../../src/redis/connection.js';
import { startAppProcess, type AppProcess } from '../support/app-process.js';
import { removeTestData, testEnv } from '../support/harness.js';
import { SimClient } from '../support/sim-client.js';

const processes: AppProcess[] = [];
const envs: Array<Record<string, string>> = [];
const workerPids = new Set<number>();

afterAll(async () => {
  for (const p of processes) p.child.kill('SIGKILL');
  await Promise.all(processes.map((p) => p.exited));
  for (const pid of workerPids) if (processAlive(pid)) process.kill(pid, 'SIGKILL');
  for (const env of envs) await removeTestData(env);
});

async function start(env: Record<string, string>, readyText?: string): Promise<AppProcess> {
  const p = await startAppProcess(env, 90_000, readyText);
  processes.push(p);
  return p;
}

interface LogLine {
  msg: string;
  worker?: number;
  pid?: number;
  role?: string;
}

const parse = (line: string): LogLine | null => {
  try {
    return JSON.parse(line) as LogLine;
  } catch {
    return null;
  }
};

/** The pid of worker process 1 as its parent logged it (`worker process started`). */
function startedPid(line: string): number {
  const pid = parse(line)?.pid;
  if (!pid) throw new Error(`no pid in ${line}`);
  workerPids.add(pid);
  return pid;
}

const started = (line: string) => parse(line)?.msg === 'worker process started';
const workerReady = (line: string) => parse(line)?.msg === 'worker process ready';

describe('web and worker processes', () => {
  it('answers through a worker child, restarts it when killed, and stops it with the parent', { timeout: 180_000 }, async () => {
    // The private Redis (REDIS_URL unset), as `npm start` runs: the child gets its socket.
    const env = await testEnv({ REDIS_URL: '', HUIWU_WORKER_PROCESSES: '1' });
    envs.push(env);
    const web = await start(env);
    const firstPid = startedPid(web.output.find(started)!);
    expect(web.output.some((line) => parse(line)?.role === 'web')).toBe(true);
    const sim = new SimClient(web.baseUrl);

    // The child may still be starting: the command waits in the queue for it.
    const help = await sim.ask('dm-wangfang', 'wangfang', '帮助', 60_000);
    expect(help.text).toBeTruthy();
    // The worker logged with its role, and the parent took no lease (the child holds it).
    expect(web.output.some((line) => parse(line)?.role === 'worker' && parse(line)?.worker === 1)).toBe(true);
    const ready = (await (await fetch(`${web.baseUrl}/readyz`)).json()) as { ready: boolean; instance: { coordinator: boolean } };
    expect(ready.ready).toBe(true);
    expect(ready.instance.coordinator).toBe(false);

    const sentAt = Date.now();
    const set = await sim.ask('dm-wangfang', 'wangfang', '提醒 10秒后 测试');
    expect(set.text).toContain('已设置提醒');
    const card = await sim.nextBotMessage('dm-wangfang', set.id, (m) => m.card?.body === '测试', 30_000);
    expect(Date.parse(card.at) - (sentAt + 10_000)).toBeGreaterThan(-1000);

    // SIGKILL of the child: the parent starts another, which answers the next command.
    const restarted = web.nextLine(started, 30_000);
    const readyAgain = web.nextLine(workerReady, 90_000);
    process.kill(firstPid, 'SIGKILL');
    const secondPid = startedPid(await restarted);
    expect(secondPid).not.toBe(firstPid);
    expect(web.output.some((line) => parse(line)?.msg === 'worker process died; starting it again')).toBe(true);
    await readyAgain;
    const after = await sim.ask('dm-wangfang', 'wangfang', '提醒 列表', 30_000);
    expect(after.text).toBeTruthy();

    // SIGTERM of the parent: it stops its child first, then exits cleanly.
    web.child.kill('SIGTERM');
    expect(await web.exited).toBe(0);
    for (const pid of workerPids) expect(processAlive(pid), `worker process ${pid}`).toBe(false);
  });

  it('stops a worker child whose parent was killed', { timeout: 120_000 }, async () => {
    const env = await testEnv({ HUIWU_WORKER_PROCESSES: '1' });
    envs.push(env);
    const web = await start(env);
    const pid = startedPid(web.output.find(started)!);
    if (!web.output.some(workerReady)) await web.nextLine(workerReady, 90_000);

    // The child inherited the parent's output: it logs why it stops, and the pipes close as it exits.
    const stopping = web.nextLine((line) => parse(line)?.role === 'worker' && line.includes('parent process gone'));
    const closed = Promise.all([web.child.stdout!, web.child.stderr!].map((stream) => new Promise((resolve) => stream.once('close', resolve))));
    web.child.kill('SIGKILL');
    await stopping;
    await closed;
    // Exited, then reaped by whoever adopted it (another process: nothing to await).
    const deadline = Date.now() + 10_000;
    while (processAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(processAlive(pid)).toBe(false);
  });

  it('runs HUIWU_ROLE=web alone: healthy and ready without workers, its commands left for a worker process', { timeout: 120_000 }, async () => {
    const env = await testEnv({ HUIWU_ROLE: 'web' });
    envs.push(env);
    const web = await start(env);
    const health = await fetch(`${web.baseUrl}/healthz`);
    expect(health.status).toBe(200);
    const readiness = await fetch(`${web.baseUrl}/readyz`);
    expect(readiness.status).toBe(200);
    const body = (await readiness.json()) as { ready: boolean; instance: { coordinator: boolean } };
    expect(body.ready).toBe(true);
    expect(body.instance.coordinator).toBe(false);

    // Accepted and queued, but nobody here takes it.
    const sim = new SimClient(web.baseUrl);
    const id = await sim.say('dm-wangfang', 'wangfang', '帮助');
    const redis = connectRedis(env.REDIS_URL!);
    const inbound = new Queue(QUEUE_NAMES.inbound, { connection: redis, prefix: queuePrefix(env.HUIWU_QUEUE_PREFIX!, env.REDIS_URL!) });
    try {
      expect(await inbound.getJobCounts('waiting', 'active', 'completed')).toEqual({ waiting: 1, active: 0, completed: 0 });
    } finally {
      await inbound.close();
      redis.disconnect();
    }

    // A worker process on the same Redis and database answers it; the web process shows the reply.
    await start({ ...env, HUIWU_ROLE: 'worker' }, 'Huiwu worker is ready');
    const reply = await sim.nextBotMessage('dm-wangfang', id, (m) => m.text !== undefined, 30_000);
    expect(reply.text).toBeTruthy();
  });
});
