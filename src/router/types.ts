/**
 * What handlers see. A handler gets one context object and returns its reply;
 * side effects go only through `ctx.services`. Handlers never import a platform adapter.
 */
import type { Card } from '../../cards/model.js';
import type { CardActionEvent, CardActionOutcome, MessageEvent, OutboundContent } from '../platforms/types.js';
import type { Services } from '../services/services.js';
import type { ConversationRecord, UserRecord } from '../services/directory.js';

export type Reply = OutboundContent | OutboundContent[] | string | void;

export interface CommandContext {
  event: MessageEvent;
  user: UserRecord;
  conversation: ConversationRecord;
  /** The text after the command keyword, with @mentions removed. */
  args: string;
  /** Mentioned users (the bot excluded), in the order typed. */
  mentions: UserRecord[];
  services: Services;
  now: Date;
}

export interface CommandSpec {
  /** Stable id, also the help topic: `帮助 <keyword>`. */
  id: string;
  /** Chinese keywords first, then English aliases. */
  keywords: string[];
  /** One-line summary for `帮助`. */
  summary: string;
  /** Usage lines shown with `帮助 <keyword>` and after a malformed command. */
  usage: string[];
  /** One complete example, shown in `帮助`. */
  example: string;
  handle(ctx: CommandContext): Promise<Reply>;
}

export interface CardActionContext {
  event: CardActionEvent;
  user: UserRecord;
  card: StoredCard;
  services: Services;
  now: Date;
}

export interface StoredCard {
  id: string;
  kind: string;
  refId: string;
  recipientUserId: string | null;
  model: Card;
}

export interface CardActionSpec {
  /** The action key carried by the button, e.g. `reminder.ack`. */
  key: string;
  handle(ctx: CardActionContext): Promise<CardActionOutcome>;
}

export { UsageError, UserError } from '../errors.js';
