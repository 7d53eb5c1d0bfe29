/**
 * The server's error handler, URL redaction and the sampling refusal log, on a real fastify
 * instance with a pino logger writing to memory.
 */
import Fastify, { type FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { installErrorHandler } from '../../src/server/error-handler.js';
import { HttpError, parseId } from '../../src/server/http-error.js';
import { redactUrl, requestSerializer } from '../../src/server/redact.js';
import { noteRefusal, RefusalLog } from '../../src/server/refusal-log.js';

function memoryLog(level = 'info') {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level, serializers: { req: requestSerializer } }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { log, lines, text: () => lines.map((l) => JSON.stringify(l)).join('\n') };
}

describe('error handler', () => {
  async function server() {
    const mem = memoryLog();
    const app = Fastify({ loggerInstance: mem.log as FastifyBaseLogger });
    installErrorHandler(app);
    app.get('/boom', async () => {
      throw new Error('Invalid `prisma.survey.findUnique()` invocation in /work/src/services/surveys.ts:42:19 → 42 return this.db.survey.findUnique(');
    });
    app.get<{ Params: { id: string } }>('/things/:id', async (request) => ({ id: parseId(request.params.id, 'the thing id') }));
    app.post('/strict', { schema: { body: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } } }, async () => ({ ok: true }));
    app.get('/gone', async () => {
      throw new HttpError(410, 'that export expired');
    });
    await app.ready();
    return { app, mem };
  }

  it('answers an unexpected error with a reference only, and logs the details under it', async () => {
    const { app, mem } = await server();
    const res = await app.inject({ method: 'GET', url: '/boom' });
    expect(res.statusCode).toBe(500);
    const body = res.json() as { error: string; ref: string };
    expect(body).toEqual({ error: 'internal', ref: expect.stringMatching(/^[2-9A-Z]{6}$/) });
    expect(res.body).not.toMatch(/prisma|\/work\/|surveys\.ts/);
    const logged = mem.lines.find((l) => l.ref === body.ref)!;
    expect(JSON.stringify(logged)).toContain('surveys.ts:42');
  });

  it('answers bad input with a 4xx and a clear message', async () => {
    const { app } = await server();
    expect((await app.inject({ method: 'GET', url: '/things/abc' })).json()).toEqual({ error: 'the thing id must be a number such as 12 or #12, not "abc"' });
    expect((await app.inject({ method: 'GET', url: '/things/%2312' })).json()).toEqual({ id: 12 });
    const invalid = await app.inject({ method: 'POST', url: '/strict', payload: {} });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json()).toEqual({ error: expect.stringContaining("must have required property 'name'") });
    expect((await app.inject({ method: 'GET', url: '/gone' })).statusCode).toBe(410);
    const missing = await app.inject({ method: 'GET', url: '/nowhere?x=1' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: 'no such endpoint: GET /nowhere' });
  });
});

describe('secrets in URLs', () => {
  it('redacts credential parameters and nothing else', () => {
    expect(redactUrl('/api/meetings/1/attendees.csv?token=s3cret&pii=full')).toBe('/api/meetings/1/attendees.csv?token=[redacted]&pii=full');
    expect(redactUrl('/x?access_token=a&Secret=b&sign=c&after=3')).toBe('/x?access_token=[redacted]&Secret=[redacted]&sign=[redacted]&after=3');
    expect(redactUrl('/x?%74oken=abc')).toBe('/x?%74oken=[redacted]');
    expect(redactUrl('/sim/api/conversations/dm/messages?after=3&wait=5000')).toBe('/sim/api/conversations/dm/messages?after=3&wait=5000');
    expect(redactUrl('/auth/link/Zm9vYmFy?next=1')).toBe('/auth/link/[redacted]?next=1');
  });
});

describe('refusal log', () => {
  it('logs the first refusal per kind and IP in a minute, then one line with the count', async () => {
    const mem = memoryLog();
    let now = 0;
    const refusals = new RefusalLog(mem.log, () => now);
    const app = Fastify();
    app.decorate('refusals', refusals);
    app.get('/refuse', async (request, reply) => {
      noteRefusal(request, 'admin-token', 'admin API: missing or wrong bearer token');
      return reply.code(401).send({ error: 'no' });
    });
    await app.ready();
    for (let i = 0; i < 500; i++) await app.inject({ method: 'GET', url: '/refuse?token=leaked', remoteAddress: '10.0.0.1' });
    await app.inject({ method: 'GET', url: '/refuse', remoteAddress: '10.0.0.2' });
    expect(mem.lines).toHaveLength(2);
    expect(mem.text()).not.toContain('leaked');
    now = 61_000;
    refusals.flush(false);
    expect(mem.lines).toHaveLength(3);
    expect(mem.lines[2]).toMatchObject({ kind: 'admin-token', ip: '10.0.0.1', suppressed: 499 });
    refusals.close();
  });
});
