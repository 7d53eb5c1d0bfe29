/**
 * What the shared conversation suite needs from a platform: say something as a user, see what the
 * bot sent (text or a card, read back from that platform's wire format), click a card's button.
 * One implementation per platform: the simulator's public API, and the WeCom and DingTalk fakes.
 */
import type { PlatformName } from '../../src/platforms/types.js';
import type { Directory, Role } from '../../src/services/directory.js';

export interface SeenCard {
  id: string;
  title: string;
  /** Every visible text of the card joined (title, body, fields, state), for `toContain` checks. */
  text: string;
  /** Action keys of the buttons still clickable. */
  actions: string[];
}

export interface SeenMessage {
  /** A platform-independent cursor: later messages have larger values. */
  seq: number;
  text?: string;
  card?: SeenCard;
}

/** Demo people by role, as ids the driver understands. */
export interface Cast {
  organizer: string;
  colleague: string;
  outsider: string;
}

export interface ChatDriver {
  readonly platform: string;
  readonly cast: Cast;
  /** The group chat where staff talk to the bot. */
  readonly group: string;
  /** The one-to-one chat of `user` with the bot. */
  dm(user: string): string;
  /** Cursor of the newest message so far in the conversation (0 when empty). */
  cursor(conversation: string): Promise<number>;
  say(conversation: string, user: string, text: string): Promise<void>;
  /**
   * A person chats in a group without addressing the bot (no @, no leading /). The simulator and a
   * DingTalk robot flagged not-@ (isInAtList false) hand it over; WeCom's bot never receives it.
   */
  chat(conversation: string, user: string, text: string): Promise<void>;
  /** Test set-up: roles for a person (on WeCom and DingTalk nobody has a role until one is given). */
  grantRoles(user: string, roles: Role[]): Promise<void>;
  /** The next bot message after `after` in `conversation` that matches. */
  nextBotMessage(conversation: string, after: number, match?: (m: SeenMessage) => boolean, timeoutMs?: number): Promise<SeenMessage>;
  /** Clicks a card button as `user`; resolves when the platform took the click. */
  click(conversation: string, card: SeenCard, user: string, action: string): Promise<void>;
  /** Waits until the card as currently shown satisfies `check`. */
  waitForCard(conversation: string, cardId: string, check: (card: SeenCard) => boolean, timeoutMs?: number): Promise<SeenCard>;
  close(): Promise<void>;
}

/** `grantRoles` for every driver: adds roles to a person the app already knows (they have written to it). */
export async function grantRolesTo(directory: Directory, id: string, roles: Role[]): Promise<void> {
  const user = await directory.user(id);
  if (!user) throw new Error(`${id} is not known to the app yet: let them write first`);
  const platform = id.slice(0, id.indexOf(':')) as PlatformName;
  await directory.upsertUser({ platform, externalId: user.externalId, name: user.name, department: user.department, roles: [...new Set([...user.roles, ...roles])] });
}
