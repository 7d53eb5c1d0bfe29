/** The REDIS_URL forms (src/redis/connection.ts) and the hash-tagged queue prefix on a cluster. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { isClusterUrl, queuePrefix, redisOptions } from '../../src/redis/connection.js';

describe('REDIS_URL', () => {
  it('reads a Sentinel set: sentinels, master name, credentials, db', () => {
    const o = redisOptions('redis-sentinel://app:p%40ss@10.0.0.1:26379,10.0.0.2,[::1]:26380/mymaster?db=2&sentinelPassword=s3', { connectTimeout: 5000 });
    expect(o.sentinels).toEqual([
      { host: '10.0.0.1', port: 26379 },
      { host: '10.0.0.2', port: 26379 },
      { host: '::1', port: 26380 },
    ]);
    expect(o).toMatchObject({ name: 'mymaster', username: 'app', password: 'p@ss', db: 2, sentinelPassword: 's3', connectTimeout: 5000, maxRetriesPerRequest: null });
  });

  it('refuses a Sentinel URL without a master name', () => {
    expect(() => redisOptions('redis-sentinel://10.0.0.1:26379')).toThrow(/master/);
    expect(() => loadConfig({ REDIS_URL: 'redis-sentinel://10.0.0.1:26379' })).toThrow(/REDIS_URL/);
  });

  it('hash-tags the queue prefix on a cluster only', () => {
    expect(isClusterUrl('redis-cluster://a:7000,b:7001')).toBe(true);
    expect(queuePrefix('huiwu', 'redis-cluster://a:7000,b:7001')).toBe('{huiwu}');
    expect(queuePrefix('huiwu', 'redis://127.0.0.1:6379')).toBe('huiwu');
    expect(loadConfig({ REDIS_URL: 'redis-cluster://a:7000,b:7001' }).REDIS_URL).toBe('redis-cluster://a:7000,b:7001');
  });

  it('takes extra ioredis options as a JSON object', () => {
    expect(loadConfig({ HUIWU_REDIS_OPTIONS: '{"connectTimeout":5000}' }).HUIWU_REDIS_OPTIONS).toEqual({ connectTimeout: 5000 });
    expect(() => loadConfig({ HUIWU_REDIS_OPTIONS: '[1]' })).toThrow(/HUIWU_REDIS_OPTIONS/);
  });
});
