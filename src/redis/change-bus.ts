/**
 * Tells the other Huiwu instances sharing this Redis that stored records changed, so they drop
 * what they keep in memory. A notice is a list of keys (`user:<id>`, `conversation:<id>`),
 * carried by the same pub/sub relay as the live pages' changes (relay.ts).
 *
 * Pub/sub is fire and forget: a notice published while an instance is disconnected is lost to it.
 * Caches fed by this bus therefore also expire on their own (see Directory), which bounds how
 * long such an instance can serve a stale record.
 */
import { EventEmitter } from 'node:events';
import type { RedisClient } from './connection.js';
import { relayEvent } from './relay.js';

export interface ChangeBus {
  /** Announces changed keys to the other instances (this instance has already applied them). */
  publish(keys: readonly string[]): void;
  /** Called with keys another instance changed. */
  onRemoteChange(listener: (keys: string[]) => void): void;
  close(): void;
}

/** One process, no neighbours: the in-memory default for tools and single-instance tests. */
export const LOCAL_ONLY: ChangeBus = { publish: () => undefined, onRemoteChange: () => undefined, close: () => undefined };

/** Resolves once notices from other instances are being received. */
export async function redisChangeBus(redis: RedisClient, channel: string): Promise<ChangeBus> {
  const changes = new EventEmitter();
  const listeners: Array<(keys: string[]) => void> = [];
  // The relay re-emits other instances' notices on the same emitter; ours are marked while emitted.
  let publishing = false;
  changes.on('change', (keys: string[]) => {
    if (!publishing) for (const listener of listeners) listener(keys);
  });
  const relay = await relayEvent(redis, channel, changes, 'change');
  return {
    publish(keys) {
      if (keys.length === 0) return;
      publishing = true;
      try {
        changes.emit('change', [...keys]);
      } finally {
        publishing = false;
      }
    },
    onRemoteChange(listener) {
      listeners.push(listener);
    },
    close: () => relay.close(),
  };
}
