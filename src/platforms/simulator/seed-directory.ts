/**
 * Writes the simulator's demo people and chats (`seed.ts`) into the directory at start: users,
 * departments with their heads, the group, each person's DM with the bot, and the executive's
 * assistant (only if none is set, so an organizer's change survives a restart). Idempotent.
 */
import type { PrismaClient } from '../../db/client.js';
import type { Directory } from '../../services/directory.js';
import { internalId } from '../../services/ids.js';
import { SIM_ASSISTANTS, SIM_DEPARTMENTS, SIM_GROUP, SIM_USERS, dmConversationId } from './seed.js';

export async function seedDirectory(db: PrismaClient, directory: Directory): Promise<void> {
  for (const u of SIM_USERS) {
    await directory.upsertUser({ platform: 'simulator', externalId: u.id, name: u.name, roles: u.roles, department: u.department });
  }
  for (const d of SIM_DEPARTMENTS) {
    const headUserId = d.head ? internalId('simulator', d.head) : null;
    await db.department.upsert({ where: { name: d.name }, create: { id: `dept-${d.name}`, name: d.name, headUserId }, update: { headUserId } });
  }
  const everyone = SIM_USERS.map((u) => internalId('simulator', u.id));
  await directory.upsertConversation({ platform: 'simulator', externalId: SIM_GROUP.id, name: SIM_GROUP.name, type: 'group', memberIds: everyone });
  for (const u of SIM_USERS) {
    await directory.upsertConversation({
      platform: 'simulator',
      externalId: dmConversationId(u.id),
      name: u.name,
      type: 'direct',
      memberIds: [internalId('simulator', u.id)],
    });
  }
  for (const link of SIM_ASSISTANTS) {
    const executiveId = internalId('simulator', link.executive);
    if ((await db.executiveAssistant.count({ where: { executiveId } })) > 0) continue;
    await db.executiveAssistant.create({ data: { executiveId, assistantId: internalId('simulator', link.assistant), createdBy: 'seed' } });
  }
}
