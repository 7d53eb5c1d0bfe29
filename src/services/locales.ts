/**
 * Whose language a text is written in. A person's own setting (`语言`), a group's setting for its
 * cards and messages (`语言 本群`), else the configured default. Services render anything sent to
 * someone other than the requester with the recipient's translator.
 */
import type { Config } from '../config.js';
import type { Locale } from '../i18n/catalog.js';
import { type Translator, translator } from '../i18n/translator.js';
import type { OutboundTarget } from '../platforms/types.js';
import type { ConversationRecord, Directory, UserRecord } from './directory.js';

export class LocaleService {
  constructor(
    private readonly directory: Directory,
    private readonly config: Pick<Config, 'HUIWU_LOCALE' | 'HUIWU_TIMEZONE'>,
  ) {}

  /** The translator of a language (or the default). */
  translator(locale: Locale | null = null): Translator {
    return translator(locale ?? this.config.HUIWU_LOCALE, this.config.HUIWU_TIMEZONE);
  }

  /** A person's language: their own choice, else `guess` (the language of the keyword they typed), else the default. */
  ofUser(user: Pick<UserRecord, 'locale'> | null, guess?: Locale): Translator {
    return this.translator(user?.locale ?? guess ?? null);
  }

  ofConversation(conversation: Pick<ConversationRecord, 'locale'> | null): Translator {
    return this.translator(conversation?.locale ?? null);
  }

  async forUser(userId: string): Promise<Translator> {
    return this.ofUser(await this.directory.user(userId));
  }

  /** Several people at once (a fan-out): one query. */
  async forUsers(userIds: readonly string[]): Promise<Map<string, Translator>> {
    const users = userIds.length > 0 ? await this.directory.usersByIds(userIds) : [];
    const byId = new Map(users.map((u) => [u.id, this.ofUser(u)]));
    return new Map(userIds.map((id) => [id, byId.get(id) ?? this.translator()]));
  }

  /** A group's language; a one-to-one chat's is its person's. */
  async forConversation(conversationId: string): Promise<Translator> {
    const conversation = await this.directory.conversation(conversationId);
    if (conversation?.type === 'direct' && !conversation.locale && conversation.memberIds.length === 1) return this.forUser(conversation.memberIds[0]!);
    return this.ofConversation(conversation);
  }

  /** The language of whoever reads a message sent to `target`. */
  async forTarget(target: OutboundTarget): Promise<Translator> {
    return target.kind === 'user' ? this.forUser(target.userId) : this.forConversation(target.conversationId);
  }
}
