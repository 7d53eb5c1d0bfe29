/**
 * Tells the other Huiwu instances sharing this Redis that stored records changed, so they drop
 * what they keep in memory. A notice is a list of keys (`user:<id>`, `conversation:<id>`).
 *
 * Pub/sub is fire and forget: a notice published while an instance is disconnected is lost to it.
 * Caches fed by this bus therefore also expire on their own (see Directory), which bounds how
 * long such an instance can serve a stale record.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface ChangeBus {
  /** Announces changed keys to the other instances (this instance has already applied them). */
  publish(keys: readonly string[]): void;
  /** Called with keys another instance changed. */
  onRemoteChange(listener: (keys: string[]) => void): void;
  /** Resolves once notices from other instances are being received. */
  ready(): Promise<void>;
  close(): void;
}

/** One process, no neighbours: the in-memory default for tools and single-instance tests. */
export const LOCAL_ONLY: ChangeBus = { publish: () => undefined, onRemoteChange: () => undefined, ready: async () => undefined, close: () => undefined };

export function redisChangeBus(redis: Redis, prefix: string): ChangeBus {
  const channel = `${prefix}:changes`;
  const origin = randomUUID();
  const listeners: Array<(keys: string[]) => void> = [];
  // A subscribed connection can do nothing else: it gets its own.
  const subscriber = redis.duplicate();
  // ioredis re-subscribes by itself after a reconnect.
  const subscribed = subscriber.subscribe(channel).then(
    () => undefined,
    () => undefined,
  );
  subscriber.on('message', (_channel: string, raw: string) => {
    let notice: { origin?: string; keys?: unknown };
    try {
      notice = JSON.parse(raw) as typeof notice;
    } catch {
      return;
    }
    if (notice.origin === origin || !Array.isArray(notice.keys)) return;
    const keys = notice.keys.filter((k): k is string => typeof k === 'string');
    for (const listener of listeners) listener(keys);
  });
  return {
    publish(keys) {
      if (keys.length > 0) redis.publish(channel, JSON.stringify({ origin, keys })).catch(() => undefined);
    },
    onRemoteChange(listener) {
      listeners.push(listener);
    },
    ready: () => subscribed,
    close() {
      subscriber.disconnect();
    },
  };
}
