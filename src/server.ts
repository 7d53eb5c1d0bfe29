/** The HTTP server: health check, simulator page and API (platform callbacks join here later). */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { SimulatorAdapter } from './platforms/simulator/adapter.js';
import { simulatorRoutes } from './platforms/simulator/routes.js';
import type { Directory } from './services/directory.js';

export async function buildServer(opts: { config: Config; log: Logger; sim: SimulatorAdapter; directory: Directory }): Promise<FastifyInstance> {
  // Per-request logs are noise at info level; warnings and errors still go through.
  const httpLog = opts.log.child({ component: 'http' }, { level: opts.log.levelVal > 40 ? opts.log.level : 'warn' });
  // forceCloseConnections: open event streams must not hold up a shutdown.
  const app = Fastify({ loggerInstance: httpLog as FastifyBaseLogger, bodyLimit: 1024 * 1024, forceCloseConnections: true });
  app.get('/healthz', async () => ({ ok: true }));
  await app.register(simulatorRoutes, { sim: opts.sim, directory: opts.directory });
  return app;
}
