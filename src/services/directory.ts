/** Users and conversations as the rest of the app sees them (roles and members parsed). */
import type { PrismaClient } from '../db/client.js';
import type { PlatformName } from '../platforms/types.js';
import { internalId } from './ids.js';

export type Role = 'organizer' | 'executive' | 'assistant' | 'department_head' | 'attendee' | 'admin';

export interface UserRecord {
  id: string;
  platform: string;
  externalId: string;
  name: string;
  roles: Role[];
  department: string | null;
}

export interface ConversationRecord {
  id: string;
  platform: string;
  externalId: string;
  name: string;
  type: 'group' | 'direct';
  memberIds: string[];
}

type UserRow = { id: string; platform: string; externalId: string; name: string; roles: string; department: string | null };
type ConversationRow = { id: string; platform: string; externalId: string; name: string; type: string; memberIds: string };

const toUser = (row: UserRow): UserRecord => ({ ...row, roles: JSON.parse(row.roles) as Role[] });
const toConversation = (row: ConversationRow): ConversationRecord => ({
  ...row,
  type: row.type === 'group' ? 'group' : 'direct',
  memberIds: JSON.parse(row.memberIds) as string[],
});

export class Directory {
  constructor(private readonly db: PrismaClient) {}

  async user(id: string): Promise<UserRecord | null> {
    const row = await this.db.user.findUnique({ where: { id } });
    return row ? toUser(row) : null;
  }

  async usersByIds(ids: readonly string[]): Promise<UserRecord[]> {
    const rows = await this.db.user.findMany({ where: { id: { in: [...ids] } } });
    const byId = new Map(rows.map((r) => [r.id, toUser(r)]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  /** Users of one platform with this display name (names are not unique in big companies). */
  async usersByName(platform: string, name: string): Promise<UserRecord[]> {
    const rows = await this.db.user.findMany({ where: { platform, name } });
    return rows.map(toUser);
  }

  async usersOfPlatform(platform: string): Promise<UserRecord[]> {
    const rows = await this.db.user.findMany({ where: { platform }, orderBy: { createdAt: 'asc' } });
    return rows.map(toUser);
  }

  async conversation(id: string): Promise<ConversationRecord | null> {
    const row = await this.db.conversation.findUnique({ where: { id } });
    return row ? toConversation(row) : null;
  }

  async conversationsOfPlatform(platform: string): Promise<ConversationRecord[]> {
    const rows = await this.db.conversation.findMany({ where: { platform }, orderBy: { createdAt: 'asc' } });
    return rows.map(toConversation);
  }

  async upsertUser(user: Omit<UserRecord, 'id'> & { platform: PlatformName }): Promise<UserRecord> {
    const id = internalId(user.platform, user.externalId);
    const data = { name: user.name, roles: JSON.stringify(user.roles), department: user.department };
    const row = await this.db.user.upsert({
      where: { id },
      create: { id, platform: user.platform, externalId: user.externalId, ...data },
      update: data,
    });
    return toUser(row);
  }

  async upsertConversation(conv: Omit<ConversationRecord, 'id'> & { platform: PlatformName }): Promise<ConversationRecord> {
    const id = internalId(conv.platform, conv.externalId);
    const data = { name: conv.name, type: conv.type, memberIds: JSON.stringify(conv.memberIds) };
    const row = await this.db.conversation.upsert({
      where: { id },
      create: { id, platform: conv.platform, externalId: conv.externalId, ...data },
      update: data,
    });
    return toConversation(row);
  }
}
