/**
 * Baselines on the bench's own Redis: what BullMQ alone costs, with no-op workers, so a row can
 * say how far the app is from the queue it is built on. Run while the app is not running.
 */
import { Queue, Worker } from 'bullmq';
import { connectRedis } from '../../src/redis/connection.js';

/**
 * Open-loop chains of `hops` job round trips (add -> no-op worker -> completed, then the next
 * queue), `rate` chains per second for `seconds`: latency of each chain from its scheduled start.
 */
export async function jobRoundTrips(redisUrl: string, rate: number, seconds: number, hops = 2, concurrency = 8): Promise<{ latencies: number[]; missing: number }> {
  const connection = connectRedis(redisUrl).on('error', () => undefined); // the bench's Redis goes away at cleanup
  const prefix = `baseline-rt-${process.pid}`;
  const queues = Array.from({ length: hops }, (_, i) => new Queue(`hop${i}`, { connection, prefix, defaultJobOptions: { removeOnComplete: true } }));
  const started = new Map<string, number>();
  const latencies: number[] = [];
  let resolveAll: () => void = () => undefined;
  const allDone = new Promise<void>((r) => (resolveAll = r));
  const total = Math.round(rate * seconds);
  const workers = queues.map(
    (_, i) =>
      new Worker(`hop${i}`, async () => undefined, { connection, prefix, concurrency }).on('completed', (job) => {
        const id = job.data.chain as string;
        if (i + 1 < hops) {
          void queues[i + 1]!.add('hop', { chain: id });
        } else {
          latencies.push(Date.now() - started.get(id)!);
          if (latencies.length === total) resolveAll();
        }
      }),
  );
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  const t0 = Date.now() + 100;
  for (let n = 0; n < total; n++) {
    const due = t0 + (n * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    started.set(`c${n}`, due);
    void queues[0]!.add('hop', { chain: `c${n}` });
  }
  await Promise.race([allDone, new Promise((r) => setTimeout(r, 20_000))]);
  await Promise.all(workers.map((w) => w.close()));
  await Promise.all(queues.map((q) => q.obliterate({ force: true }).then(() => q.close())));
  connection.disconnect();
  return { latencies: latencies.sort((a, b) => a - b), missing: total - latencies.length };
}

/**
 * `count` delayed jobs all due at the same moment, drained by a no-op worker with the app's
 * schedule-worker concurrency: lateness of each job's completion after the due time.
 */
export async function delayedDrain(redisUrl: string, count: number, dueInMs: number, concurrency = 8): Promise<{ lateness: number[]; missing: number }> {
  const connection = connectRedis(redisUrl).on('error', () => undefined); // the bench's Redis goes away at cleanup
  const prefix = `baseline-dd-${process.pid}`;
  const queue = new Queue('due', { connection, prefix, defaultJobOptions: { removeOnComplete: true } });
  const dueAt = Date.now() + dueInMs;
  for (let i = 0; i < count; i += 1000) {
    await queue.addBulk(Array.from({ length: Math.min(1000, count - i) }, (_, j) => ({ name: 'fire', data: { n: i + j }, opts: { jobId: `due-${i + j}`, delay: Math.max(0, dueAt - Date.now()) } })));
  }
  const lateness: number[] = [];
  let resolveAll: () => void = () => undefined;
  const allDone = new Promise<void>((r) => (resolveAll = r));
  const worker = new Worker('due', async () => undefined, { connection, prefix, concurrency }).on('completed', () => {
    lateness.push(Date.now() - dueAt);
    if (lateness.length === count) resolveAll();
  });
  await Promise.race([allDone, new Promise((r) => setTimeout(r, dueInMs + 120_000))]);
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
  return { lateness: lateness.sort((a, b) => a - b), missing: count - lateness.length };
}
