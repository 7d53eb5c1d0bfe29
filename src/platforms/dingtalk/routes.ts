/**
 * Robot HTTP callback mode (for companies that prefer a callback URL to Stream mode):
 * `POST /dingtalk/robot` with headers `timestamp` and `sign`. Card clicks still arrive over the
 * stream (cards are sent with callbackType STREAM).
 * https://open.dingtalk.com/document/orgapp/receive-message
 *
 * The sign covers only the timestamp, not the body: a captured pair would carry any body while the
 * timestamp is fresh. So each timestamp/sign pair is accepted once (remembered in Redis, shared by
 * every instance, until the window has passed) and the window is short (default 300 s).
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { OnceLedger } from '../../redis/once.js';
import { noteRefusal } from '../../server/refusal-log.js';
import type { RobotMessage } from './raw-types.js';
import { verifyDingTalkSignature } from './verify.js';

export interface DingTalkRouteOptions {
  secret: string;
  maxAgeMs: number;
  now: () => number;
  once: OnceLedger;
  accept: (msg: RobotMessage) => Promise<void>;
}

export async function dingTalkRoutes(app: FastifyInstance, opts: DingTalkRouteOptions): Promise<void> {
  app.post<{ Body: RobotMessage }>(
    '/dingtalk/robot',
    { schema: { body: { type: 'object', required: ['msgId', 'conversationId', 'conversationType'] } } },
    async (request, reply) => {
      const header = (name: string) => {
        const value = request.headers[name];
        return Array.isArray(value) ? value[0] : value;
      };
      const timestamp = header('timestamp');
      const sign = header('sign');
      const now = opts.now();
      const check = verifyDingTalkSignature({ timestamp, sign, secret: opts.secret, now, maxAgeMs: opts.maxAgeMs });
      if (!check.ok) {
        noteRefusal(request, 'dingtalk-signature', 'DingTalk robot callback refused', { code: check.code });
        return reply.code(401).send({ error: check.code });
      }
      // Remembered until the timestamp is out of the window on either side of our clock.
      const key = `dingtalk-sign:${createHash('sha256').update(`${timestamp}\n${sign}`).digest('hex')}`;
      if (!(await opts.once.claim(key, 2 * opts.maxAgeMs))) {
        noteRefusal(request, 'dingtalk-replay', 'DingTalk robot callback replay refused (timestamp/sign already used)', { msgId: request.body.msgId });
        return reply.code(409).send({ error: 'replayed' });
      }
      try {
        await opts.accept(request.body);
      } catch (error) {
        // Not accepted (Redis down...): DingTalk's retry with the same signature must pass.
        await opts.once.release(key).catch(() => undefined);
        throw error;
      }
      // Replies go through the session webhook or the robot API, not this response.
      return reply.code(200).send({});
    },
  );
}
