/**
 * `/wecom/callback`: URL verification (GET) and message/event pushes (POST).
 * A POST is answered with an empty 200 once the event is durably queued (WeCom waits 5 s, then
 * re-sends); a forged, stale or malformed request gets a 4xx, is logged, and changes nothing.
 * https://developer.work.weixin.qq.com/document/path/90930
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { noteRefusal } from '../../server/refusal-log.js';
import { parseEnvelope } from './decode.js';
import { UnavailableError } from '../../server/http-error.js';
import type { WecomInbound } from './inbound.js';
import { type CallbackFailure, CallbackError, type CallbackKeys, openSigned } from './verify.js';

export interface WecomRouteOptions {
  keys: CallbackKeys;
  inbound: WecomInbound;
  now: () => Date;
}

const STATUS: Record<CallbackFailure, number> = {
  'missing-params': 400,
  'bad-signature': 401,
  'stale-timestamp': 401,
  'decrypt-failed': 400,
  'wrong-receiver': 403,
  malformed: 400,
};

/**
 * Query values decoded with decodeURIComponent only: a literal `+` in a base64 echostr must stay
 * `+` (URLSearchParams and querystring would turn it into a space).
 */
export function rawQuery(url: string): Record<string, string> {
  const q = url.indexOf('?');
  const out: Record<string, string> = {};
  if (q < 0) return out;
  for (const part of url.slice(q + 1).split('&')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    try {
      out[decodeURIComponent(part.slice(0, eq))] = decodeURIComponent(part.slice(eq + 1));
    } catch {
      // A broken escape leaves the value out; the signature check then refuses the request.
    }
  }
  return out;
}

export async function wecomRoutes(app: FastifyInstance, opts: WecomRouteOptions): Promise<void> {
  const { keys, inbound, now } = opts;
  // Callbacks are XML (or JSON in the newer format): read every body as a string and parse it ourselves.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 256 * 1024 }, (_req, body, done) => done(null, body));

  const refuse = (request: FastifyRequest, reply: FastifyReply, error: unknown) => {
    if (error instanceof CallbackError) {
      noteRefusal(request, `wecom-${error.code}`, 'WeCom callback refused', { code: error.code, reason: error.message });
      return reply.code(STATUS[error.code]).type('text/plain').send('invalid request');
    }
    // Not 200: WeCom re-sends, and the retry may find us healthy again (Redis back, say).
    if (error instanceof UnavailableError) noteRefusal(request, 'wecom-unavailable', 'WeCom callback refused: service unavailable', { reason: error.message });
    else request.log.error({ err: error }, 'WeCom callback failed');
    return reply.code(503).type('text/plain').send('unavailable');
  };

  app.get('/wecom/callback', async (request, reply) => {
    const q = rawQuery(request.url);
    try {
      const echo = openSigned(keys, { signature: q.msg_signature, timestamp: q.timestamp, nonce: q.nonce, encrypt: q.echostr }, now());
      return reply.code(200).type('text/plain').send(echo);
    } catch (error) {
      return refuse(request, reply, error);
    }
  });

  app.post('/wecom/callback', async (request, reply) => {
    const q = rawQuery(request.url);
    try {
      if (typeof request.body !== 'string' || request.body === '') throw new CallbackError('malformed', 'empty body');
      const envelope = parseEnvelope(request.body);
      const plaintext = openSigned(keys, { signature: q.msg_signature, timestamp: q.timestamp, nonce: q.nonce, encrypt: envelope.encrypt }, now());
      await inbound.callback(plaintext);
      return reply.code(200).type('text/plain').send('');
    } catch (error) {
      return refuse(request, reply, error);
    }
  });
}
