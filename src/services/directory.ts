/** Users and conversations as the rest of the app sees them (roles and members parsed). */
import type { PrismaClient } from '../db/client.js';
import type { PlatformName } from '../platforms/types.js';
import { type Locale, isLocale } from '../i18n/catalog.js';
import { internalId } from './ids.js';

export type Role = 'organizer' | 'executive' | 'assistant' | 'department_head' | 'attendee' | 'admin';

export interface UserRecord {
  id: string;
  platform: string;
  externalId: string;
  name: string;
  roles: Role[];
  department: string | null;
  /** Chosen reply language; null: the configured default. */
  locale: Locale | null;
}

export interface ConversationRecord {
  id: string;
  platform: string;
  externalId: string;
  name: string;
  type: 'group' | 'direct';
  memberIds: string[];
  /** Language of the group's cards and messages; null: the configured default. */
  locale: Locale | null;
}

type UserRow = { id: string; platform: string; externalId: string; name: string; roles: string; department: string | null; locale: string | null };
type ConversationRow = { id: string; platform: string; externalId: string; name: string; type: string; memberIds: string; locale: string | null };

const toUser = (row: UserRow): UserRecord => ({
  id: row.id,
  platform: row.platform,
  externalId: row.externalId,
  name: row.name,
  roles: JSON.parse(row.roles) as Role[],
  department: row.department,
  locale: isLocale(row.locale) ? row.locale : null,
});
const toConversation = (row: ConversationRow): ConversationRecord => ({
  id: row.id,
  platform: row.platform,
  externalId: row.externalId,
  name: row.name,
  type: row.type === 'group' ? 'group' : 'direct',
  memberIds: JSON.parse(row.memberIds) as string[],
  locale: isLocale(row.locale) ? row.locale : null,
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

  async upsertUser(user: Omit<UserRecord, 'id' | 'locale'> & { platform: PlatformName }): Promise<UserRecord> {
    const id = internalId(user.platform, user.externalId);
    const data = { name: user.name, roles: JSON.stringify(user.roles), department: user.department };
    const row = await this.db.user.upsert({
      where: { id },
      create: { id, platform: user.platform, externalId: user.externalId, ...data },
      update: data,
    });
    return toUser(row);
  }

  async upsertConversation(conv: Omit<ConversationRecord, 'id' | 'locale'> & { platform: PlatformName }): Promise<ConversationRecord> {
    const id = internalId(conv.platform, conv.externalId);
    const data = { name: conv.name, type: conv.type, memberIds: JSON.stringify(conv.memberIds) };
    const row = await this.db.conversation.upsert({
      where: { id },
      create: { id, platform: conv.platform, externalId: conv.externalId, ...data },
      update: data,
    });
    return toConversation(row);
  }

  async setUserLocale(id: string, locale: Locale | null): Promise<void> {
    await this.db.user.update({ where: { id }, data: { locale } });
  }

  async setConversationLocale(id: string, locale: Locale | null): Promise<void> {
    await this.db.conversation.update({ where: { id }, data: { locale } });
  }
}
