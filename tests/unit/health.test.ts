/** `/healthz` names each dependency and answers 503 naming the ones that are down (a hung one too). */
import Fastify, { type FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ConditionNotMet } from '../../src/errors.js';
import { healthRoute, readyRoute } from '../../src/server/health.js';

describe('/healthz', () => {
  it('answers 200 when every dependency answers', async () => {
    const app = Fastify();
    healthRoute(app, { redis: async () => undefined, database: async () => undefined });
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: true, checks: { redis: 'ok', database: 'ok' } });
  });

  it('answers 503 naming a dependency that fails or does not answer in time', async () => {
    const app = Fastify();
    healthRoute(app, { redis: () => new Promise(() => undefined), database: async () => undefined });
    const started = Date.now();
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ ok: false, down: ['redis'], checks: { database: 'ok' } });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('never shows a failing dependency\'s own message (a 5xx leaks no internals); the log has it under a reference', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    const app = Fastify({ loggerInstance: log as FastifyBaseLogger });
    healthRoute(app, {
      redis: async () => undefined,
      database: async () => {
        throw new Error("Can't reach database server at `db.internal:5432` (postgresql://huiwu:s3cret@db.internal/huiwu) in /work/src/app.ts:160");
      },
    });
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(503);
    expect(res.body).not.toMatch(/s3cret|db\.internal|\/work\//);
    const body = res.json() as { down: string[]; checks: Record<string, string> };
    expect(body.down).toEqual(['database']);
    const ref = /^down \(ref ([2-9A-Z]{6})\)$/.exec(body.checks.database!)?.[1];
    expect(ref).toBeDefined();
    expect(JSON.stringify(lines.find((l) => l.ref === ref))).toContain('db.internal:5432');
  });
});

describe('/readyz', () => {
  it('is 503 naming the conditions not met, and says whether this instance holds the lease', async () => {
    const app = Fastify();
    let migrated = false;
    readyRoute(
      app,
      {
        redis: async () => undefined,
        migrations: async () => {
          if (!migrated) throw new ConditionNotMet('1 migration(s) not applied');
        },
      },
      () => ({ coordinator: false, leaseToken: 0 }),
    );
    const before = await app.inject({ method: 'GET', url: '/readyz' });
    expect(before.statusCode).toBe(503);
    expect(before.json()).toEqual({
      ready: false,
      down: ['migrations'],
      checks: { redis: 'ok', migrations: 'down: 1 migration(s) not applied' },
      instance: { coordinator: false, leaseToken: 0 },
    });
    migrated = true;
    const after = await app.inject({ method: 'GET', url: '/readyz' });
    expect(after.statusCode).toBe(200);
    expect(after.json()).toMatchObject({ ready: true, checks: { redis: 'ok', migrations: 'ok' } });
  });
});
