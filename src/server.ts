/**
 * The HTTP server: health check, the admin API and each platform's routes (simulator, callbacks),
 * behind one error handler, per-entrance rate limits and a log that never carries a secret URL.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import type { Capability } from './capability.js';
import type { PlatformAdapter } from './platforms/types.js';
import { adminApi, type AdminApiOptions } from './server/admin-api.js';
import { entranceLimits } from './server/entrances.js';
import { installErrorHandler } from './server/error-handler.js';
import { lazySchemaCompilers } from './server/lazy-schemas.js';
import { healthRoute, readyRoute, type Probe } from './server/health.js';
import { requestSerializer } from './server/redact.js';
import { RefusalLog } from './server/refusal-log.js';
import { simulatorGuard } from './server/simulator-guard.js';
import { signInRoutes } from './web/sign-in.js';

export interface ServerOptions {
  log: Logger;
  adapters: readonly PlatformAdapter[];
  admin: AdminApiOptions;
  /** Dependencies reported by /healthz (`redis`, `database`). */
  probes?: Record<string, Probe>;
  /** Further conditions of /readyz (beside the probes): migrations applied, workers running. */
  readiness?: Record<string, Probe>;
  /** What /readyz says about this instance (e.g. whether it holds the coordinator lease). */
  instance?: () => Record<string, unknown>;
  /** Capabilities with web pages. */
  capabilities?: readonly Capability[];
}

export async function buildServer(opts: ServerOptions): Promise<FastifyInstance> {
  const config = opts.admin.services.config;
  // Per-request logs are noise at info level; warnings and errors still go through.
  const httpLog = opts.log.child(
    { component: 'http' },
    { level: opts.log.levelVal > 40 ? opts.log.level : 'warn', serializers: { req: requestSerializer, err: pino.stdSerializers.err } },
  );
  // forceCloseConnections: open event streams must not hold up a shutdown.
  const app = Fastify({
    loggerInstance: httpLog as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
    forceCloseConnections: true,
    // Route schemas are compiled on first use, not at start (lazy-schemas.ts).
    schemaController: lazySchemaCompilers(),
    // Behind a trusted reverse proxy, request.ip (rate limits, logs) is the forwarded client's.
    ...(config.HUIWU_TRUST_PROXY ? { trustProxy: config.HUIWU_TRUST_PROXY } : {}),
  });
  const refusals = new RefusalLog(httpLog);
  app.decorate('refusals', refusals);
  app.addHook('onClose', async () => refusals.close());
  installErrorHandler(app);
  await entranceLimits(app, {
    adminPerMinute: config.HUIWU_RATE_LIMIT_ADMIN_PER_MINUTE,
    callbackPerMinute: config.HUIWU_RATE_LIMIT_CALLBACK_PER_MINUTE,
    simulatorPerMinute: config.HUIWU_RATE_LIMIT_SIM_PER_MINUTE,
    signInPerMinute: config.HUIWU_RATE_LIMIT_SIGNIN_PER_MINUTE,
    eventStreams: config.HUIWU_SIM_MAX_EVENT_STREAMS,
  });
  healthRoute(app, opts.probes ?? {});
  readyRoute(app, { ...opts.probes, ...opts.readiness }, opts.instance);
  await app.register(adminApi, { ...opts.admin, prefix: '/api' });
  const services = opts.admin.services;
  await signInRoutes(app, services);
  for (const capability of opts.capabilities ?? []) await capability.pages?.(app, services);
  const realPlatform = opts.adapters.some((a) => a.name !== 'simulator');
  for (const adapter of opts.adapters) {
    if (adapter.name === 'simulator' && realPlatform) {
      // Beside a real platform the simulator acts on real data: admin token required.
      await app.register(async (scope) => {
        scope.addHook('onRequest', simulatorGuard(opts.admin.token));
        await adapter.routes?.(scope);
      });
    } else {
      await adapter.routes?.(app);
    }
  }
  return app;
}
