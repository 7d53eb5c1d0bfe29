/**
 * Carries one event of an in-process EventEmitter to every instance sharing Redis (pub/sub), for
 * live pages: the simulator page's and long polls' `change`, the console's meeting changes. A page
 * or long poll is connected to one instance, while the change may happen on another (the job that
 * sent the message ran there). Best effort, like the pages themselves: a message missed while
 * Redis is down only delays a page until its next poll or change.
 */
import type { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RedisClient } from './connection.js';

export interface Relay {
  close(): void;
}

export async function relayEvent(redis: RedisClient, channel: string, emitter: EventEmitter, event: string): Promise<Relay> {
  const origin = randomBytes(6).toString('hex');
  // A subscribed connection can do nothing else, so it gets its own (a Cluster duplicates as a Cluster).
  const subscriber: RedisClient = (redis as Redis).duplicate();
  subscriber.on('error', () => undefined);
  let relaying = false;
  const onLocal = (...args: unknown[]) => {
    if (relaying) return;
    void redis.publish(channel, JSON.stringify({ origin, args })).catch(() => undefined);
  };
  subscriber.on('message', (ch: string, text: string) => {
    if (ch !== channel) return;
    let notice: { origin?: string; args?: unknown[] };
    try {
      notice = JSON.parse(text) as typeof notice;
    } catch {
      return;
    }
    const { origin: from, args } = notice;
    if (from === origin || !Array.isArray(args)) return;
    // emit() is synchronous: our own listener sees the flag and does not publish it back.
    relaying = true;
    try {
      emitter.emit(event, ...args);
    } finally {
      relaying = false;
    }
  });
  await subscriber.subscribe(channel);
  emitter.on(event, onLocal);
  return {
    close() {
      emitter.off(event, onLocal);
      subscriber.disconnect();
    },
  };
}
