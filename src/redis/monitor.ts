/**
 * Watches the app's Redis connection: `ready()` is false from the moment the connection drops
 * (entrances then refuse work with 503 at once instead of hanging), the loss and the return are
 * logged once each, and `onRestored` runs after a reconnect: a Redis restarted from its AOF may
 * miss the last writes, so the start-up recovery (pending messages, reminder jobs) runs again.
 */
import type { RedisClient } from './connection.js';
import type { Logger } from 'pino';

export interface ConnectionMonitor {
  ready(): boolean;
  stop(): void;
}

export function monitorRedis(redis: RedisClient, log: Logger, onRestored: () => Promise<void>): ConnectionMonitor {
  let lostAt: number | null = null;
  let stopped = false;
  const onLost = (reason: string) => {
    if (stopped || lostAt !== null) return;
    lostAt = Date.now();
    log.error({ reason }, 'Redis connection lost: new work is refused with 503 until it is back');
  };
  const onError = (err: Error) => onLost(err.message);
  const onClose = () => onLost('connection closed');
  const onReady = () => {
    if (stopped || lostAt === null) return;
    log.warn({ downMs: Date.now() - lostAt }, 'Redis connection restored; re-running recovery');
    lostAt = null;
    onRestored().catch((err: unknown) => log.error({ err }, 'recovery after the Redis outage failed'));
  };
  redis.on('error', onError);
  redis.on('close', onClose);
  redis.on('ready', onReady);
  return {
    ready: () => redis.status === 'ready',
    stop() {
      stopped = true;
      redis.off('error', onError);
      redis.off('close', onClose);
      redis.off('ready', onReady);
      // ioredis reports errors on an emitter without listeners as "Unhandled error event".
      redis.on('error', () => undefined);
    },
  };
}
