/**
 * Writes the simulator's demo people and chats (`seed.ts`) into the directory at start: users,
 * departments with their heads, the group, each person's DM with the bot, and the executive's
 * assistant (only if none is set, so an organizer's change survives a restart). Idempotent.
 *
 * The stored rows are read first (four queries) and only what differs is written: a restart
 * then costs a handful of round trips instead of one upsert per row, which matters on
 * PostgreSQL, where each statement is a round trip to another process.
 */
import type { PrismaClient } from '../../db/client.js';
import type { Directory } from '../../services/directory.js';
import { internalId } from '../../services/ids.js';
import { SIM_ASSISTANTS, SIM_DEPARTMENTS, SIM_GROUP, SIM_USERS, dmConversationId } from './seed.js';

export async function seedDirectory(db: PrismaClient, directory: Directory): Promise<void> {
  const userIds = SIM_USERS.map((u) => internalId('simulator', u.id));
  const conversations = [
    { externalId: SIM_GROUP.id, name: SIM_GROUP.name, type: 'group' as const, memberIds: userIds },
    ...SIM_USERS.map((u) => ({ externalId: dmConversationId(u.id), name: u.name, type: 'direct' as const, memberIds: [internalId('simulator', u.id)] })),
  ];
  const [users, departments, convs, assistants] = await Promise.all([
    db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, name: true, roles: true, department: true } }),
    db.department.findMany({ where: { name: { in: SIM_DEPARTMENTS.map((d) => d.name) } }, select: { name: true, headUserId: true } }),
    db.conversation.findMany({
      where: { id: { in: conversations.map((c) => internalId('simulator', c.externalId)) } },
      select: { id: true, name: true, type: true, memberIds: true },
    }),
    db.executiveAssistant.findMany({ where: { executiveId: { in: SIM_ASSISTANTS.map((l) => internalId('simulator', l.executive)) } }, select: { executiveId: true } }),
  ]);

  const storedUsers = new Map(users.map((u) => [u.id, u]));
  for (const u of SIM_USERS) {
    const stored = storedUsers.get(internalId('simulator', u.id));
    if (stored && stored.name === u.name && stored.roles === JSON.stringify(u.roles) && stored.department === u.department) continue;
    await directory.upsertUser({ platform: 'simulator', externalId: u.id, name: u.name, roles: u.roles, department: u.department });
  }
  const storedDepartments = new Map(departments.map((d) => [d.name, d.headUserId]));
  for (const d of SIM_DEPARTMENTS) {
    const headUserId = d.head ? internalId('simulator', d.head) : null;
    if (storedDepartments.has(d.name) && storedDepartments.get(d.name) === headUserId) continue;
    await db.department.upsert({ where: { name: d.name }, create: { id: `dept-${d.name}`, name: d.name, headUserId }, update: { headUserId } });
  }
  const storedConvs = new Map(convs.map((c) => [c.id, c]));
  for (const c of conversations) {
    const stored = storedConvs.get(internalId('simulator', c.externalId));
    if (stored && stored.name === c.name && stored.type === c.type && stored.memberIds === JSON.stringify(c.memberIds)) continue;
    await directory.upsertConversation({ platform: 'simulator', ...c });
  }
  const withAssistant = new Set(assistants.map((a) => a.executiveId));
  for (const link of SIM_ASSISTANTS) {
    const executiveId = internalId('simulator', link.executive);
    if (withAssistant.has(executiveId)) continue;
    withAssistant.add(executiveId);
    await db.executiveAssistant.create({ data: { executiveId, assistantId: internalId('simulator', link.assistant), createdBy: 'seed' } });
  }
}
