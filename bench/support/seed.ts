/** Seeding for the benches: simulator people, their DMs with the bot, and groups, straight into the database. */
import type { PrismaClient } from '../../src/db/client.js';
import { seedDepartment } from '../../tests/support/fanout.js';

export interface SeededChats {
  /** External ids of the users (`cmd00001`...). */
  users: string[];
  /** External ids of the groups (`bench-group-1`...), each with its members. */
  groups: Array<{ id: string; members: string[] }>;
}

/** `userCount` simulator users with DMs, and `groupCount` groups that split them between them. */
export async function seedChats(db: PrismaClient, userCount: number, groupCount: number, prefix = 'cmd'): Promise<SeededChats> {
  const users = await seedDepartment(db, `${prefix}-department`, userCount, prefix);
  const groups = Array.from({ length: groupCount }, (_, g) => ({
    id: `bench-group-${g + 1}`,
    members: users.filter((_, i) => i % groupCount === g),
  }));
  await db.conversation.createMany({
    data: groups.map((g) => ({
      id: `simulator:${g.id}`,
      platform: 'simulator',
      externalId: g.id,
      name: `压测群${g.id.slice(-2)}`,
      type: 'group',
      memberIds: JSON.stringify(g.members.map((m) => `simulator:${m}`)),
    })),
  });
  return { users, groups };
}
