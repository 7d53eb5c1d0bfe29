/** The simulator's JSON API (used by its page, by tests and by scripts) and its web page. */
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { fileURLToPath } from 'node:url';
import type { Directory } from '../../services/directory.js';
import { externalIdOf } from '../../services/ids.js';
import { SimError } from './errors.js';
import type { EventEmitter } from 'node:events';
import type { Card } from '../../../cards/model.js';
import type { CardActionOutcome } from '../types.js';

const WEB_ROOT = fileURLToPath(new URL('./web/', import.meta.url));

export interface SimMessageView {
  id: number;
  from: string;
  text?: string;
  card?: Card;
  /** URL of an image message (served by the simulator), with `text` as its alt text. */
  image?: string;
  at: string;
}

/** What the routes need of the simulator adapter (a port, so the adapter and its routes do not import each other). */
export interface SimulatorApi {
  readonly changes: EventEmitter;
  bot(): { id: string; name: string; timeZone: string };
  injectSendFailures(count: number): void;
  injectThrottles(count: number, pauseMs: number): void;
  addBusySlot(userExternalId: string, start: Date, end: Date, title: string | null): Promise<number>;
  postMessage(conversationExternalId: string, fromExternalId: string, text: string, upload?: { name: string; mime: string; data: Buffer }): Promise<number>;
  clickCard(cardId: string, fromExternalId: string, action: string, values: Record<string, string>): Promise<CardActionOutcome>;
  messages(conversationExternalId: string, after: number, waitMs?: number): Promise<SimMessageView[]>;
  media(id: string): Promise<{ mime: string; data: Buffer } | null>;
  consoleLink(userExternalId: string): Promise<string>;
}

export async function simulatorRoutes(app: FastifyInstance, opts: { sim: SimulatorApi; directory: Directory }): Promise<void> {
  const { sim, directory } = opts;

  // Errors (SimError, validation) are answered by the server's one error handler.
  await app.register(fastifyStatic, { root: WEB_ROOT, prefix: '/' });

  app.get('/sim/api/users', async () => {
    const users = await directory.usersOfPlatform('simulator');
    return users.map((u) => ({ id: u.externalId, name: u.name, roles: u.roles, department: u.department }));
  });

  app.get('/sim/api/conversations', async () => {
    const conversations = await directory.conversationsOfPlatform('simulator');
    return conversations.map((c) => ({
      id: c.externalId,
      name: c.name,
      type: c.type,
      members: c.memberIds.map(externalIdOf),
    }));
  });

  app.post<{ Body: { conversation: string; from: string; text: string } }>(
    '/sim/api/messages',
    {
      schema: {
        body: {
          type: 'object',
          required: ['conversation', 'from', 'text'],
          additionalProperties: false,
          properties: { conversation: { type: 'string', minLength: 1 }, from: { type: 'string', minLength: 1 }, text: { type: 'string', maxLength: 4000 } },
        },
      },
    },
    async (request, reply) => {
      const { conversation, from, text } = request.body;
      const id = await sim.postMessage(conversation, from, text);
      return reply.code(202).send({ id });
    },
  );

  /** A message with a file (the page's 📎 button): the file as base64, up to 30 MB on the wire (the bot applies its own limit). */
  app.post<{ Body: { conversation: string; from: string; text: string; name: string; mime: string; data: string } }>(
    '/sim/api/uploads',
    {
      bodyLimit: 40 * 1024 * 1024,
      schema: {
        body: {
          type: 'object',
          required: ['conversation', 'from', 'text', 'name', 'mime', 'data'],
          additionalProperties: false,
          properties: {
            conversation: { type: 'string', minLength: 1 },
            from: { type: 'string', minLength: 1 },
            text: { type: 'string', maxLength: 4000 },
            name: { type: 'string', minLength: 1, maxLength: 255 },
            mime: { type: 'string', pattern: '^[\\w.+-]+/[\\w.+-]+$', maxLength: 100 },
            data: { type: 'string', maxLength: 40 * 1024 * 1024 },
          },
        },
      },
    },
    async (request, reply) => {
      const { conversation, from, text, name, mime, data } = request.body;
      const bytes = Buffer.from(data, 'base64');
      if (bytes.length === 0) throw new SimError(400, 'the file is empty');
      const id = await sim.postMessage(conversation, from, text, { name, mime, data: bytes });
      return reply.code(202).send({ id });
    },
  );

  app.get<{ Params: { id: string }; Querystring: { after?: string; wait?: string } }>('/sim/api/conversations/:id/messages', async (request) => {
    const conversation = await directory.conversation(`simulator:${request.params.id}`);
    if (!conversation) throw new SimError(404, `unknown conversation: ${request.params.id}`);
    const after = Number(request.query.after ?? 0);
    if (!Number.isInteger(after) || after < 0) throw new SimError(400, 'after must be a message id');
    const wait = Number(request.query.wait ?? 0);
    if (!Number.isInteger(wait) || wait < 0 || wait > 30_000) throw new SimError(400, 'wait must be 0..30000 ms');
    return sim.messages(request.params.id, after, wait);
  });

  // Server-sent events for the page: `change` names a conversation whose messages or cards changed.
  app.get('/sim/api/events', (request, reply) => {
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    reply.raw.write(': connected\n\n');
    const onChange = (conversation: string) => reply.raw.write(`event: change\ndata: ${JSON.stringify({ conversation })}\n\n`);
    const keepAlive = setInterval(() => reply.raw.write(': ping\n\n'), 15_000);
    sim.changes.on('change', onChange);
    request.raw.on('close', () => {
      clearInterval(keepAlive);
      sim.changes.off('change', onChange);
    });
  });

  app.post<{ Body: { cardId: string; from: string; action: string; values?: Record<string, string> } }>(
    '/sim/api/card-actions',
    {
      schema: {
        body: {
          type: 'object',
          required: ['cardId', 'from', 'action'],
          additionalProperties: false,
          properties: {
            cardId: { type: 'string', minLength: 1 },
            from: { type: 'string', minLength: 1 },
            action: { type: 'string', minLength: 1 },
            values: { type: 'object', additionalProperties: { type: 'string', maxLength: 2000 } },
          },
        },
      },
    },
    async (request) => {
      const { cardId, from, action, values } = request.body;
      return sim.clickCard(cardId, from, action, values ?? {});
    },
  );

  // Platform faults on demand: the next `sendFailures` sends fail (retryable), the next `throttles`
  // sends are refused as throttled with a pause of `throttleMs` (like WeCom 45009 / DingTalk QPS).
  app.post<{ Body: { sendFailures?: number; throttles?: number; throttleMs?: number } }>(
    '/sim/api/faults',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            sendFailures: { type: 'integer', minimum: 0, maximum: 1000 },
            throttles: { type: 'integer', minimum: 0, maximum: 1000 },
            throttleMs: { type: 'integer', minimum: 1, maximum: 60000 },
          },
        },
      },
    },
    async (request) => {
      const { sendFailures = 0, throttles = 0, throttleMs = 1000 } = request.body;
      sim.injectSendFailures(sendFailures);
      sim.injectThrottles(throttles, throttleMs);
      return { ok: true, sendFailures, throttles, throttleMs };
    },
  );

  app.get<{ Params: { id: string } }>('/sim/media/:id', async (request, reply) => {
    const media = await sim.media(request.params.id);
    if (!media) throw new SimError(404, `unknown media: ${request.params.id}`);
    return reply.header('content-type', media.mime).header('cache-control', 'max-age=86400').send(media.data);
  });

  // The simulated platform calendar: a busy slot of a user, returned by the adapter's freeBusy.
  app.post<{ Body: { user: string; start: string; end: string; title?: string } }>(
    '/sim/api/calendar/busy',
    {
      schema: {
        body: {
          type: 'object',
          required: ['user', 'start', 'end'],
          additionalProperties: false,
          properties: { user: { type: 'string', minLength: 1 }, start: { type: 'string', minLength: 1 }, end: { type: 'string', minLength: 1 }, title: { type: 'string', maxLength: 200 } },
        },
      },
    },
    async (request, reply) => {
      const { user, start, end, title } = request.body;
      const [from, to] = [new Date(start), new Date(end)];
      if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) throw new SimError(400, 'start and end must be ISO date-times');
      const id = await sim.addBusySlot(user, from, to, title?.trim() || null);
      return reply.code(201).send({ id });
    },
  );

  app.get('/sim/api/bot', async () => sim.bot());

  // A fresh single-use console link for a seeded user (the page's console buttons; tests).
  app.post<{ Params: { id: string } }>('/sim/api/users/:id/console-link', async (request) => ({ url: await sim.consoleLink(request.params.id) }));
}
