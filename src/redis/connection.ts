/**
 * Redis connections from a URL:
 * - `redis://[user:pass@]host:port[/db]`, `rediss://…` (TLS), `unix:///path.sock`: one server;
 * - `redis-sentinel://[user:pass@]host:26379,host2:26379/<master name>[?db=0&sentinelPassword=…&tls=1]`:
 *   the master of a Sentinel set (ioredis follows failovers);
 * - `redis-cluster://[user:pass@]host:7000,host2:7001[?tls=1]`: a Redis Cluster (any reachable
 *   nodes; the rest are discovered). Queue keys are then hash-tagged (`queuePrefix`).
 * `HUIWU_REDIS_OPTIONS` (JSON) adds ioredis options to every form (for a cluster: to each node's connection).
 */
import { Cluster, Redis, type RedisOptions } from 'ioredis';

/** What the app holds: one server (possibly found through Sentinel) or a cluster. */
export type RedisClient = Redis | Cluster;

export function isClusterUrl(url: string): boolean {
  return url.startsWith('redis-cluster://');
}

/** BullMQ's prefix: on a cluster `{prefix}`, so every key of every queue hashes to one slot (BullMQ's scripts touch several keys). */
export function queuePrefix(prefix: string, redisUrl: string): string {
  return isClusterUrl(redisUrl) ? `{${prefix}}` : prefix;
}

function hostList(list: string, defaultPort: number): Array<{ host: string; port: number }> {
  return list.split(',').map((part) => {
    const m = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(part.trim());
    if (!m) throw new Error(`not a host:port: ${part}`);
    return { host: m[1]!, port: Number(m[2] ?? defaultPort) };
  });
}

/** `scheme://[user:pass@]hosts/path?query`: URL cannot parse a list of hosts. */
function splitMulti(url: string): { auth: { username?: string; password?: string }; hosts: string; path: string; query: URLSearchParams } {
  const m = /^[a-z-]+:\/\/(?:([^@/]*)@)?([^/?]+)(\/[^?]*)?(?:\?(.*))?$/.exec(url);
  if (!m) throw new Error(`not a Redis URL: ${url}`);
  const [user, pass] = (m[1] ?? '').split(':');
  return {
    auth: { username: user ? decodeURIComponent(user) : undefined, password: pass ? decodeURIComponent(pass) : undefined },
    hosts: m[2]!,
    path: (m[3] ?? '').slice(1),
    query: new URLSearchParams(m[4] ?? ''),
  };
}

export function redisOptions(url: string, extra: RedisOptions = {}): RedisOptions {
  // BullMQ requires maxRetriesPerRequest: null so blocking commands survive reconnects.
  const common: RedisOptions = { maxRetriesPerRequest: null };
  if (url.startsWith('unix://')) return { ...common, ...extra, path: url.slice('unix://'.length) };
  if (url.startsWith('redis-sentinel://')) {
    const { auth, hosts, path, query } = splitMulti(url);
    if (!path) throw new Error('a redis-sentinel:// URL names the master after the hosts: redis-sentinel://host:26379,host2:26379/mymaster');
    return {
      ...common,
      ...auth,
      sentinels: hostList(hosts, 26379),
      name: decodeURIComponent(path),
      db: query.has('db') ? Number(query.get('db')) : undefined,
      sentinelPassword: query.get('sentinelPassword') ?? undefined,
      tls: query.get('tls') === '1' ? {} : undefined,
      enableTLSForSentinelMode: query.get('tls') === '1' ? true : undefined,
      ...extra,
    };
  }
  const u = new URL(url);
  return {
    ...common,
    host: u.hostname,
    port: Number(u.port || 6379),
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : undefined,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    ...extra,
  };
}

export function connectRedis(url: string, extra: RedisOptions = {}): RedisClient {
  if (isClusterUrl(url)) {
    const { auth, hosts, query } = splitMulti(url);
    const redisOptions: RedisOptions = { maxRetriesPerRequest: null, ...auth, tls: query.get('tls') === '1' ? {} : undefined, ...extra };
    // BullMQ reads maxRetriesPerRequest from the cluster's own options too.
    return new Cluster(hostList(hosts, 6379), { redisOptions, maxRetriesPerRequest: null } as never);
  }
  return new Redis(redisOptions(url, extra));
}

/** BullMQ loses jobs when Redis evicts keys; returns the policy when it is not `noeviction`. */
export async function evictionPolicyProblem(redis: RedisClient): Promise<string | null> {
  // On a cluster INFO goes to one node; they are configured alike.
  const info = await redis.info('memory');
  const policy = /maxmemory_policy:(\S+)/.exec(info)?.[1];
  return policy && policy !== 'noeviction' ? policy : null;
}
