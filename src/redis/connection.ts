/** Redis connections from a URL (`redis://`, `rediss://` or `unix:///path.sock`). */
import { Redis, type RedisOptions } from 'ioredis';

export function redisOptions(url: string): RedisOptions {
  // BullMQ requires maxRetriesPerRequest: null so blocking commands survive reconnects.
  const common: RedisOptions = { maxRetriesPerRequest: null };
  if (url.startsWith('unix://')) return { ...common, path: url.slice('unix://'.length) };
  const u = new URL(url);
  return {
    ...common,
    host: u.hostname,
    port: Number(u.port || 6379),
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : undefined,
    tls: u.protocol === 'rediss:' ? {} : undefined,
  };
}

export function connectRedis(url: string): Redis {
  return new Redis(redisOptions(url));
}

/** BullMQ loses jobs when Redis evicts keys; returns the policy when it is not `noeviction`. */
export async function evictionPolicyProblem(redis: Redis): Promise<string | null> {
  const info = await redis.info('memory');
  const policy = /maxmemory_policy:(\S+)/.exec(info)?.[1];
  return policy && policy !== 'noeviction' ? policy : null;
}
