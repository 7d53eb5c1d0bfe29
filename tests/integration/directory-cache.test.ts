/**
 * The directory's in-memory records: a change made through one instance reaches another instance's
 * copy through the Redis change notice, and records handed out cannot be changed by a caller.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrisma, type PrismaClient } from '../../src/db/client.js';
import { applyMigrations } from '../../src/db/migrate.js';
import { type ChangeBus, redisChangeBus } from '../../src/redis/change-bus.js';
import { connectRedis } from '../../src/redis/connection.js';
import { Directory } from '../../src/services/directory.js';
import { removeTestData, testEnv } from '../support/harness.js';

let env: Record<string, string>;
const closers: Array<() => unknown> = [];
let a: Directory;
let b: Directory;
let busB: ChangeBus;
let db: PrismaClient;

async function instance(): Promise<{ directory: Directory; bus: ChangeBus }> {
  const client = createPrisma(env.DATABASE_URL!);
  const redis = connectRedis(env.REDIS_URL!);
  const bus = await redisChangeBus(redis, `${env.HUIWU_QUEUE_PREFIX}:relay:directory`);
  closers.push(() => bus.close(), () => redis.disconnect(), () => client.$disconnect());
  return { directory: new Directory(client, bus), bus };
}

/** Resolves on the next change notice `bus` receives from another instance. */
const nextNotice = (bus: ChangeBus) => new Promise<string[]>((resolve) => bus.onRemoteChange(resolve));

beforeAll(async () => {
  env = await testEnv();
  await applyMigrations({ databaseUrl: env.DATABASE_URL! });
  db = createPrisma(env.DATABASE_URL!);
  closers.push(() => db.$disconnect());
  a = (await instance()).directory;
  ({ directory: b, bus: busB } = await instance());
  // B hears of both writes before the tests begin: a notice arriving during a read keeps that read out of memory.
  let notice = nextNotice(busB);
  await a.upsertUser({ platform: 'simulator', externalId: 'u1', name: '张三', roles: ['attendee'], department: null });
  await notice;
  notice = nextNotice(busB);
  await a.upsertConversation({ platform: 'simulator', externalId: 'g1', name: '筹备群', type: 'group', memberIds: ['simulator:u1'] });
  await notice;
});

afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await removeTestData(env);
});

describe('directory records in memory', () => {
  it('serves a kept record without reading the database again', async () => {
    expect((await b.user('simulator:u1'))?.name).toBe('张三');
    // Changed behind the directory's back (never done by the app): the kept copy is still served.
    await db.user.update({ where: { id: 'simulator:u1' }, data: { name: '改名' } });
    expect((await b.user('simulator:u1'))?.name).toBe('张三');
    await db.user.update({ where: { id: 'simulator:u1' }, data: { name: '张三' } });
  });

  it('drops another instance’s copy when a user or a conversation changes', async () => {
    expect((await b.user('simulator:u1'))?.locale).toBeNull();
    expect((await b.conversation('simulator:g1'))?.locale).toBeNull();
    let notice = nextNotice(busB);
    await a.setUserLocale('simulator:u1', 'en');
    expect(await notice).toEqual(['user:simulator:u1']);
    expect((await b.user('simulator:u1'))?.locale).toBe('en');

    notice = nextNotice(busB);
    await a.grantRole('simulator:u1', 'organizer');
    await notice;
    expect((await b.usersByIds(['simulator:u1']))[0]?.roles).toEqual(['attendee', 'organizer']);

    notice = nextNotice(busB);
    await a.setConversationLocale('simulator:g1', 'en');
    expect(await notice).toEqual(['conversation:simulator:g1']);
    expect((await b.conversation('simulator:g1'))?.locale).toBe('en');
  });

  it('hands out records no caller can change', async () => {
    const user = (await a.user('simulator:u1'))!;
    expect(() => (user.roles as string[]).push('admin')).toThrow(TypeError);
    expect(() => Object.assign(user, { name: 'x' })).toThrow(TypeError);
    expect((await a.user('simulator:u1'))!.roles).not.toContain('admin');
  });

  it('keeps the row as it ended when two writes to one user finish out of order', async () => {
    // A callback refreshing the name and `language …` at the same moment: on PostgreSQL the
    // upsert can return last, carrying the locale from before the other write.
    const id = 'simulator:u1';
    for (let round = 0; round < 30; round++) {
      const locale = round % 2 === 0 ? 'zh-CN' : 'en';
      await Promise.all([a.upsertUser({ platform: 'simulator', externalId: 'u1', name: `张三${round}`, roles: ['attendee'], department: null }), a.setUserLocale(id, locale)]);
      const row = (await db.user.findUnique({ where: { id } }))!;
      const kept = (await a.user(id))!;
      expect({ name: kept.name, locale: kept.locale }).toEqual({ name: row.name, locale: row.locale });
    }
  });
});
