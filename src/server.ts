/** The HTTP server: health check, the admin API, and each platform's routes (simulator, callbacks). */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { PlatformAdapter } from './platforms/types.js';
import { adminApi, type AdminApiOptions } from './server/admin-api.js';

export async function buildServer(opts: { log: Logger; adapters: readonly PlatformAdapter[]; admin: AdminApiOptions }): Promise<FastifyInstance> {
  // Per-request logs are noise at info level; warnings and errors still go through.
  const httpLog = opts.log.child({ component: 'http' }, { level: opts.log.levelVal > 40 ? opts.log.level : 'warn' });
  // forceCloseConnections: open event streams must not hold up a shutdown.
  const app = Fastify({ loggerInstance: httpLog as FastifyBaseLogger, bodyLimit: 1024 * 1024, forceCloseConnections: true });
  app.get('/healthz', async () => ({ ok: true }));
  await app.register(adminApi, { ...opts.admin, prefix: '/api' });
  for (const adapter of opts.adapters) await adapter.routes?.(app);
  return app;
}
