/**
 * `/healthz`: one line per dependency (`redis`, `database`), 503 naming the ones that are down.
 * `/readyz`: may this instance take traffic (for a load balancer): the same dependencies plus
 * this code's migrations applied and its workers running (not during shutdown).
 * Each probe is bounded, so a hung dependency reads as down within seconds instead of hanging.
 */
import type { FastifyInstance } from 'fastify';

export type Probe = () => Promise<void>;

const PROBE_TIMEOUT_MS = 1500;

async function check(probe: Probe): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
      }),
    ]);
    return 'ok';
  } catch (error) {
    return `down: ${(error as Error).message}`;
  } finally {
    clearTimeout(timer);
  }
}

async function report(probes: Record<string, Probe>): Promise<{ down: string[]; checks: Record<string, string> }> {
  const names = Object.keys(probes);
  const results = await Promise.all(names.map((name) => check(probes[name]!)));
  const checks = Object.fromEntries(names.map((name, i) => [name, results[i]!]));
  return { down: names.filter((name) => checks[name] !== 'ok'), checks };
}

export function healthRoute(app: FastifyInstance, probes: Record<string, Probe>): void {
  app.get('/healthz', { config: { rateLimit: false } }, async (_request, reply) => {
    const { down, checks } = await report(probes);
    return reply.code(down.length ? 503 : 200).send({ ok: down.length === 0, ...(down.length ? { down } : {}), checks });
  });
}

export function readyRoute(app: FastifyInstance, conditions: Record<string, Probe>, instance: () => Record<string, unknown> = () => ({})): void {
  app.get('/readyz', { config: { rateLimit: false } }, async (_request, reply) => {
    const { down, checks } = await report(conditions);
    return reply.code(down.length ? 503 : 200).send({ ready: down.length === 0, ...(down.length ? { down } : {}), checks, instance: instance() });
  });
}
