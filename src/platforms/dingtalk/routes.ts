/**
 * Robot HTTP callback mode (for companies that prefer a callback URL to Stream mode):
 * `POST /dingtalk/robot` with headers `timestamp` and `sign`. Card clicks still arrive over the
 * stream (cards are sent with callbackType STREAM).
 * https://open.dingtalk.com/document/orgapp/receive-message
 */
import type { FastifyInstance } from 'fastify';
import type { RobotMessage } from './raw-types.js';
import { ReplayGuard, verifyDingTalkSignature } from './verify.js';

export interface DingTalkRouteOptions {
  secret: string;
  maxAgeMs: number;
  now: () => number;
  accept: (msg: RobotMessage) => Promise<void>;
}

export async function dingTalkRoutes(app: FastifyInstance, opts: DingTalkRouteOptions): Promise<void> {
  const replays = new ReplayGuard(opts.maxAgeMs * 2);

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
        request.log.warn({ code: check.code }, 'DingTalk robot callback refused');
        return reply.code(401).send({ error: check.code });
      }
      if (!replays.firstSeen(`${timestamp}:${sign}:${request.body.msgId}`, now)) {
        request.log.warn({ msgId: request.body.msgId }, 'DingTalk robot callback replay refused');
        return reply.code(409).send({ error: 'replayed' });
      }
      await opts.accept(request.body);
      // Replies go through the session webhook or the robot API, not this response.
      return reply.code(200).send({});
    },
  );
}
