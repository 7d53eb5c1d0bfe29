/**
 * `/healthz`: one line per dependency (`redis`, `database`), 503 naming the ones that are down.
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

export function healthRoute(app: FastifyInstance, probes: Record<string, Probe>): void {
  app.get('/healthz', { config: { rateLimit: false } }, async (_request, reply) => {
    const names = Object.keys(probes);
    const results = await Promise.all(names.map((name) => check(probes[name]!)));
    const report = Object.fromEntries(names.map((name, i) => [name, results[i]!]));
    const down = names.filter((name) => report[name] !== 'ok');
    return reply.code(down.length ? 503 : 200).send({ ok: down.length === 0, ...(down.length ? { down } : {}), checks: report });
  });
}
