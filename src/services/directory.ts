/**
 * Users and conversations as the rest of the app sees them (roles and members parsed).
 *
 * Every message reads its sender and its conversation, and they rarely change: found records are
 * kept in memory (frozen, shared by callers). Every write goes through this class, which updates
 * its own copy and tells the other instances through the change bus; a copy also expires after
 * `CACHE_TTL_MS`, which bounds staleness should a notice be lost (a Redis reconnect).
 */
import type { PrismaClient } from '../db/client.js';
import { type ChangeBus, LOCAL_ONLY } from '../redis/change-bus.js';
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

const toUserRecord = (row: UserRow): UserRecord => deepFreeze({
  id: row.id,
  platform: row.platform,
  externalId: row.externalId,
  name: row.name,
  roles: JSON.parse(row.roles) as Role[],
  department: row.department,
  locale: isLocale(row.locale) ? row.locale : null,
});
const toConversation = (row: ConversationRow): ConversationRecord => deepFreeze({
  id: row.id,
  platform: row.platform,
  externalId: row.externalId,
  name: row.name,
  type: row.type === 'group' ? 'group' : 'direct',
  memberIds: JSON.parse(row.memberIds) as string[],
  locale: isLocale(row.locale) ? row.locale : null,
});

/** A shared record must not be changed by one caller under another's feet. */
function deepFreeze<T extends { roles?: unknown; memberIds?: unknown }>(record: T): T {
  if (Array.isArray(record.roles)) Object.freeze(record.roles);
  if (Array.isArray(record.memberIds)) Object.freeze(record.memberIds);
  return Object.freeze(record);
}

/** How long a kept record is trusted without a change notice. */
export const CACHE_TTL_MS = 30_000;
/** Records kept at most (the oldest go first): ~0.5 KB each. */
const CACHE_MAX = 50_000;

class RecordCache<T> {
  private readonly entries = new Map<string, { value: T; expires: number }>();

  get(id: string): T | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (entry.expires > Date.now()) return entry.value;
    this.entries.delete(id);
    return undefined;
  }

  set(id: string, value: T): void {
    this.entries.delete(id);
    if (this.entries.size >= CACHE_MAX) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(id, { value, expires: Date.now() + CACHE_TTL_MS });
  }

  delete(id: string): void {
    this.entries.delete(id);
  }
}

const USER_KEY = 'user:';
const CONVERSATION_KEY = 'conversation:';

export class Directory {
  private readonly users = new RecordCache<UserRecord>();
  private readonly conversations = new RecordCache<ConversationRecord>();
  /** Counts changes seen: a read that overlapped one does not keep what it read (it may predate it). */
  private writes = 0;

  constructor(
    private readonly db: PrismaClient,
    private readonly bus: ChangeBus = LOCAL_ONLY,
    /** Administrators by configuration (HUIWU_ADMINS): they hold `admin` whatever is stored. */
    private readonly configuredAdmins: ReadonlySet<string> = new Set(),
  ) {
    bus.onRemoteChange((keys) => {
      this.writes++;
      for (const key of keys) {
        if (key.startsWith(USER_KEY)) this.users.delete(key.slice(USER_KEY.length));
        else if (key.startsWith(CONVERSATION_KEY)) this.conversations.delete(key.slice(CONVERSATION_KEY.length));
      }
    });
  }

  async user(id: string): Promise<UserRecord | null> {
    const kept = this.users.get(id);
    if (kept) return kept;
    const writes = this.writes;
    const row = await this.db.user.findUnique({ where: { id } });
    return row ? this.keepUser(this.toUser(row), writes) : null;
  }

  async usersByIds(ids: readonly string[]): Promise<UserRecord[]> {
    const found = new Map<string, UserRecord>();
    const missing: string[] = [];
    for (const id of new Set(ids)) {
      const kept = this.users.get(id);
      if (kept) found.set(id, kept);
      else missing.push(id);
    }
    if (missing.length > 0) {
      const writes = this.writes;
      for (const row of await this.db.user.findMany({ where: { id: { in: missing } } })) found.set(row.id, this.keepUser(this.toUser(row), writes));
    }
    return ids.flatMap((id) => found.get(id) ?? []);
  }

  /** Users of one platform with this display name (names are not unique in big companies). */
  async usersByName(platform: string, name: string): Promise<UserRecord[]> {
    const rows = await this.db.user.findMany({ where: { platform, name } });
    return rows.map((r) => this.toUser(r));
  }

  /** Users of one platform whose display name is one of `names` (one indexed query). */
  async usersByNames(platform: string, names: readonly string[]): Promise<UserRecord[]> {
    if (names.length === 0) return [];
    const rows = await this.db.user.findMany({ where: { platform, name: { in: [...new Set(names)] } } });
    return rows.map((r) => this.toUser(r));
  }

  /** Users of one platform in any of these departments. */
  async usersInDepartments(platform: string, departments: readonly string[]): Promise<UserRecord[]> {
    if (departments.length === 0) return [];
    const rows = await this.db.user.findMany({ where: { platform, department: { in: [...departments] } }, orderBy: { createdAt: 'asc' } });
    return rows.map((r) => this.toUser(r));
  }

  /** Ids of everyone, on every platform, who holds `role` (administrators by configuration included). */
  async idsWithRole(role: Role): Promise<string[]> {
    const rows = await this.db.user.findMany({ where: { roles: { contains: JSON.stringify(role) } }, select: { id: true } });
    const configured = role === 'admin' ? [...this.configuredAdmins] : [];
    return [...new Set([...rows.map((r) => r.id), ...configured])];
  }

  /** Users of one platform who hold `role` (administrators by configuration included). */
  async usersWithRole(platform: string, role: Role): Promise<UserRecord[]> {
    const configured = role === 'admin' ? [...this.configuredAdmins] : [];
    const held = { roles: { contains: JSON.stringify(role) } };
    const rows = await this.db.user.findMany({ where: { platform, ...(configured.length ? { OR: [held, { id: { in: configured } }] } : held) }, orderBy: { createdAt: 'asc' } });
    return rows.map((r) => this.toUser(r));
  }

  async usersOfPlatform(platform: string): Promise<UserRecord[]> {
    const rows = await this.db.user.findMany({ where: { platform }, orderBy: { createdAt: 'asc' } });
    return rows.map((r) => this.toUser(r));
  }

  async conversation(id: string): Promise<ConversationRecord | null> {
    const kept = this.conversations.get(id);
    if (kept) return kept;
    const writes = this.writes;
    const row = await this.db.conversation.findUnique({ where: { id } });
    return row ? this.keepConversation(toConversation(row), writes) : null;
  }

  async conversationsOfPlatform(platform: string): Promise<ConversationRecord[]> {
    const rows = await this.db.conversation.findMany({ where: { platform }, orderBy: { createdAt: 'asc' } });
    return rows.map(toConversation);
  }

  async upsertUser(user: Omit<UserRecord, 'id' | 'locale'> & { platform: PlatformName }): Promise<UserRecord> {
    const id = internalId(user.platform, user.externalId);
    const data = { name: user.name, roles: JSON.stringify(user.roles), department: user.department };
    return this.writeUser(() =>
      this.db.user.upsert({
        where: { id },
        create: { id, platform: user.platform, externalId: user.externalId, ...data },
        update: data,
      }),
    );
  }

  async upsertConversation(conv: Omit<ConversationRecord, 'id' | 'locale'> & { platform: PlatformName }): Promise<ConversationRecord> {
    const id = internalId(conv.platform, conv.externalId);
    const data = { name: conv.name, type: conv.type, memberIds: JSON.stringify(conv.memberIds) };
    return this.writeConversation(() =>
      this.db.conversation.upsert({
        where: { id },
        create: { id, platform: conv.platform, externalId: conv.externalId, ...data },
        update: data,
      }),
    );
  }

  async setUserLocale(id: string, locale: Locale | null): Promise<void> {
    await this.writeUser(() => this.db.user.update({ where: { id }, data: { locale } }));
  }

  async setConversationLocale(id: string, locale: Locale | null): Promise<void> {
    await this.writeConversation(() => this.db.conversation.update({ where: { id }, data: { locale } }));
  }

  /** Adds a role; `department` is set only for someone who has none. False: they already held it. */
  async grantRole(id: string, role: Role, department?: string): Promise<boolean> {
    const user = await this.user(id);
    if (!user || user.roles.includes(role)) return false;
    const data = { roles: JSON.stringify([...user.roles, role]), ...(user.department || !department ? {} : { department }) };
    await this.writeUser(() => this.db.user.update({ where: { id }, data }));
    return true;
  }

  /** Removes a stored role. False: they did not hold it. */
  async revokeRole(id: string, role: Role): Promise<boolean> {
    const row = await this.db.user.findUnique({ where: { id } });
    const stored = row ? (JSON.parse(row.roles) as Role[]) : [];
    if (!stored.includes(role)) return false;
    await this.writeUser(() => this.db.user.update({ where: { id }, data: { roles: JSON.stringify(stored.filter((r) => r !== role)) } }));
    return true;
  }

  /** Whether `admin` comes from HUIWU_ADMINS (and so cannot be revoked by command). */
  isConfiguredAdmin(id: string): boolean {
    return this.configuredAdmins.has(id);
  }

  private toUser(row: UserRow): UserRecord {
    const user = toUserRecord(row);
    return this.configuredAdmins.has(row.id) && !user.roles.includes('admin') ? deepFreeze({ ...user, roles: [...user.roles, 'admin' as const] }) : user;
  }

  /** Moves people into a department; returns how many exist. */
  async setDepartment(ids: readonly string[], department: string): Promise<number> {
    const { count } = await this.db.user.updateMany({ where: { id: { in: [...ids] } }, data: { department } });
    this.writes++;
    for (const id of ids) this.users.delete(id);
    this.bus.publish(ids.map((id) => USER_KEY + id));
    return count;
  }

  /** `writesAtRead`: the change count when the read began. */
  private keepUser(user: UserRecord, writesAtRead: number): UserRecord {
    if (writesAtRead === this.writes) this.users.set(user.id, user);
    return user;
  }

  private keepConversation(conversation: ConversationRecord, writesAtRead: number): ConversationRecord {
    if (writesAtRead === this.writes) this.conversations.set(conversation.id, conversation);
    return conversation;
  }

  /**
   * Runs a write of one user's row and keeps what it returned, unless another change began while
   * it ran: on PostgreSQL two writes to one row (a callback refreshing the name, `language English`)
   * can come back in either order, and the one returned last may carry the older locale. Then the
   * copy is dropped and the next read takes the row as it ended. The count moves at both ends, so a
   * read that overlapped the write does not keep what it read either.
   */
  private async writeUser(write: () => Promise<UserRow>): Promise<UserRecord> {
    const started = ++this.writes;
    const user = this.toUser(await write());
    this.keepWritten(this.users, user, started);
    this.bus.publish([USER_KEY + user.id]);
    return user;
  }

  private async writeConversation(write: () => Promise<ConversationRow>): Promise<ConversationRecord> {
    const started = ++this.writes;
    const conversation = toConversation(await write());
    this.keepWritten(this.conversations, conversation, started);
    this.bus.publish([CONVERSATION_KEY + conversation.id]);
    return conversation;
  }

  private keepWritten<R extends { id: string }>(cache: RecordCache<R>, record: R, started: number): void {
    if (started === this.writes) cache.set(record.id, record);
    else cache.delete(record.id);
    this.writes++;
  }
}
