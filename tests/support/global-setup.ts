/** One real Redis for the whole test run: REDIS_URL if set, else a private redis-server under data/test-redis. */
import type { TestProject } from 'vitest/node';
import { startPrivateRedis } from '../../src/redis/private-redis.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

export default async function setup(project: TestProject) {
  if (process.env.REDIS_URL) {
    project.provide('redisUrl', process.env.REDIS_URL);
    return;
  }
  const redis = await startPrivateRedis('data/test-redis', () => undefined);
  project.provide('redisUrl', redis.url);
  return async () => redis.release();
}
