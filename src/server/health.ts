/**
 * `/healthz`: one line per dependency (`redis`, `database`), 503 naming the ones that are down.
 * `/readyz`: may this instance take traffic (for a load balancer): the same dependencies plus
 * this code's migrations applied and its workers running (not during shutdown).
 * Each probe is bounded, so a hung dependency reads as down within seconds instead of hanging.
 * A probe's own error (connection strings, hosts, paths) goes to the log only, under a reference
 * the answer shows: like every 5xx, this one leaks no internals.
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { ConditionNotMet, errorReference } from '../errors.js';

export type Probe = () => Promise<void>;

const PROBE_TIMEOUT_MS = 1500;

class ProbeTimeout extends Error {}

async function check(name: string, probe: Probe, log: FastifyBaseLogger): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new ProbeTimeout(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
      }),
    ]);
    return 'ok';
  } catch (error) {
    if (error instanceof ProbeTimeout || error instanceof ConditionNotMet) return `down: ${error.message}`;
    const ref = errorReference();
    log.error({ err: error, ref, dependency: name }, 'health check failed');
    return `down (ref ${ref})`;
  } finally {
    clearTimeout(timer);
  }
}

async function report(probes: Record<string, Probe>, log: FastifyBaseLogger): Promise<{ down: string[]; checks: Record<string, string> }> {
  const names = Object.keys(probes);
  const results = await Promise.all(names.map((name) => check(name, probes[name]!, log)));
  const checks = Object.fromEntries(names.map((name, i) => [name, results[i]!]));
  return { down: names.filter((name) => checks[name] !== 'ok'), checks };
}

export function healthRoute(app: FastifyInstance, probes: Record<string, Probe>): void {
  app.get('/healthz', { config: { rateLimit: false } }, async (request, reply) => {
    const { down, checks } = await report(probes, request.log);
    return reply.code(down.length ? 503 : 200).send({ ok: down.length === 0, ...(down.length ? { down } : {}), checks });
  });
}

export function readyRoute(app: FastifyInstance, conditions: Record<string, Probe>, instance: () => Record<string, unknown> = () => ({})): void {
  app.get('/readyz', { config: { rateLimit: false } }, async (request, reply) => {
    const { down, checks } = await report(conditions, request.log);
    return reply.code(down.length ? 503 : 200).send({ ready: down.length === 0, ...(down.length ? { down } : {}), checks, instance: instance() });
  });
}
