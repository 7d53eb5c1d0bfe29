/**
 * What handlers see. A handler gets one context object and returns its reply;
 * side effects go only through `ctx.services`. Handlers never import a platform adapter.
 */
import type { Card } from '../../cards/model.js';
import type { CardActionEvent, CardActionOutcome, MessageEvent, OutboundContent } from '../platforms/types.js';
import type { Translator } from '../i18n/translator.js';
import type { StoredCard } from '../services/cards.js';
import type { HandlerServices } from '../services/services.js';
import type { ConversationRecord, UserRecord } from '../services/directory.js';

export type Reply = OutboundContent | OutboundContent[] | string | void;

/**
 * A message carrying a file or image but no command (WeCom and DingTalk images have no caption).
 * It reaches the file handlers even in a group when not addressed to the bot; a handler answers
 * `null` when the file is not for it (then, in a group, nobody answers).
 */
export type FileHandler = (ctx: CommandContext) => Promise<Reply | null>;

export interface CommandContext {
  event: MessageEvent;
  user: UserRecord;
  conversation: ConversationRecord;
  /** The text after the command keyword, with @mentions removed. */
  args: string;
  /** Mentioned users (the bot excluded), in the order typed. */
  mentions: UserRecord[];
  services: HandlerServices;
  /** The requester's language: every reply is rendered with it. */
  t: Translator;
  now: Date;
}

/**
 * A command. Its words live in the catalogues under `commands.<id>`: `keywords` (every language's
 * are accepted from everyone), `summary` (one line for `帮助`), `usage` (lines shown with
 * `帮助 <keyword>` and after a malformed command) and `example`.
 */
export interface CommandSpec {
  /** Stable id: the catalogue section and the help topic. */
  id: string;
  handle(ctx: CommandContext): Promise<Reply>;
}

export interface CardActionContext {
  event: CardActionEvent;
  user: UserRecord;
  card: StoredCard;
  services: HandlerServices;
  /** The clicker's language (notices to them); cards keep their recipient's language. */
  t: Translator;
  now: Date;
}


export interface CardActionSpec {
  /** The action key carried by the button, e.g. `reminder.ack`. */
  key: string;
  handle(ctx: CardActionContext): Promise<CardActionOutcome>;
}

export { UsageError, UserError } from '../errors.js';
export { type Msg, msg } from '../i18n/translator.js';
export type { StoredCard };
