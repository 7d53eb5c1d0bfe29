/**
 * The platform boundary. Everything outside `src/platforms/<name>/` and the card renderers
 * sees only these types. Ids in events are our internal ids (`<platform>:<external id>`).
 */
import type { FastifyInstance } from 'fastify';
import type { Card } from '../../cards/model.js';

export type PlatformName = 'simulator' | 'wecom' | 'dingtalk';

export interface Mention {
  userId: string;
  name: string;
}

/**
 * A file or image sent with a message. Either its bytes are already in the Media table (`mediaId`:
 * the simulator's upload), or they are still on the platform (`remote`: an opaque reference only
 * that platform's adapter reads, e.g. a WeCom MediaId or a DingTalk downloadCode) and are fetched
 * when used, through the adapter's `fetchInboundFile` (src/services/inbound-files.ts).
 */
export interface InboundFile {
  kind: 'image' | 'file';
  /** As the sender named it (untrusted: never used as a path). */
  name: string;
  /** As declared (the platform's download states the real one). */
  mime: string;
  /** In bytes; 0 when the platform does not say before the download. */
  size: number;
  mediaId?: string;
  remote?: string;
}

/** The bytes of an InboundFile, as the platform served them. */
export interface FetchedFile {
  data: Buffer;
  /** The Content-Type the platform served (parameters dropped). */
  mime: string;
  /** The file name the platform gave, when it gave one. */
  name?: string;
}

/**
 * Why an inbound file could not be fetched: `unknown` (the platform does not know the id: forged,
 * expired), `too-large` (over the limit before or while downloading), `type` (not what the message
 * said it was: an "image" that is no image, an error page), `unavailable` (network, throttling).
 */
export class InboundFileError extends Error {
  constructor(
    readonly reason: 'unknown' | 'too-large' | 'type' | 'unavailable',
    message: string,
  ) {
    super(message);
  }
}

/** A text message in a group or a one-to-one chat with the bot. */
export interface MessageEvent {
  kind: 'message';
  platform: PlatformName;
  /** The platform's id of this delivery, used for durable de-duplication. */
  eventId: string;
  conversationId: string;
  conversationType: 'group' | 'direct';
  userId: string;
  text: string;
  mentions: Mention[];
  receivedAt: string;
  /**
   * True when the platform delivers a group message to the bot only because it @-mentions the bot
   * (DingTalk, WeCom's intelligent bot). Otherwise a group message is for the bot only when its text
   * @-mentions the bot or starts with `/`.
   */
  addressedToBot?: boolean;
  /** A file or image sent with the text. */
  file?: InboundFile;
  /** Set by the inbound sink on the first message over the sender's per-minute budget: answered with why, not run. */
  overBudget?: { perMinute: number };
}

/** A click or form submit on a card we sent. */
export interface CardActionEvent {
  kind: 'card-action';
  platform: PlatformName;
  eventId: string;
  cardId: string;
  userId: string;
  action: string;
  values: Record<string, string>;
  receivedAt: string;
}

export type InboundEvent = MessageEvent | CardActionEvent;

export type OutboundTarget =
  | { kind: 'conversation'; conversationId: string }
  | { kind: 'user'; userId: string };

export type OutboundContent =
  | { type: 'text'; text: string }
  | { type: 'markdown'; markdown: string }
  | { type: 'card'; card: Card }
  /**
   * A PNG stored in the Media table (charts); `alt` is what text-only clients show. `companionOf`:
   * the card whose `image` this is, sent after it for platforms whose cards cannot show pictures
   * (a platform that shows the card's own image skips it).
   */
  | { type: 'image'; mediaId: string; alt: string; companionOf?: string };

export interface SendResult {
  /** Platform reference needed to update the message later (message id, task id...). */
  platformRef?: string;
}

/** What `send` throws: `retry` backs off, `refresh` retries once at once, `give-up` fails the job. */
export class PlatformError extends Error {
  constructor(
    message: string,
    readonly action: 'retry' | 'give-up' | 'refresh',
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** Outbound operations, used by the outbound queue's processor only. */
export interface PlatformClient {
  readonly name: PlatformName;
  /** `idempotencyKey` is the OutboundMessage id: a platform that can de-duplicate uses it. */
  send(target: OutboundTarget, content: OutboundContent, idempotencyKey: string): Promise<SendResult>;
  /** Replaces a card already sent (same card id) with its new state. */
  updateCard(card: Card, target: OutboundTarget, platformRef: string | null, idempotencyKey: string): Promise<SendResult>;
}

/** Receives normalized inbound events from an adapter and answers card actions. */
export interface InboundSink {
  /** Durably accepts an event for processing (returns once it is queued). */
  accept(event: InboundEvent): Promise<void>;
  /** Processes a card action and returns its outcome, for platforms that answer clicks synchronously. */
  acceptAndWait(event: CardActionEvent, timeoutMs: number): Promise<CardActionOutcome>;
}

export type CardActionOutcome = { accepted: true; message?: string } | { accepted: false; reason: string };

/** A busy interval in a person's platform calendar. */
export interface BusySlot {
  start: Date;
  end: Date;
  title?: string;
}

/** Optional capabilities: callers check for them (`if (adapter.sendUrgent)`) and fall back otherwise. */
export interface PlatformCapabilities {
  /**
   * An urgent notification that demands attention (DingTalk DING by app, SMS or call where the company
   * allows; WeCom: a repeated urgent message). `idempotencyKey` keeps a retried escalation single.
   */
  sendUrgent?(userIds: readonly string[], text: string, idempotencyKey: string): Promise<void>;
  /** Busy times from the platform calendar (free/busy query), for schedule-conflict checks. */
  freeBusy?(userId: string, from: Date, to: Date): Promise<BusySlot[]>;
  /**
   * Web sign-in by the platform (the console opened from its app menu): the platform's user id
   * (external id) an authorization code stands for, or null when the code is wrong, used or
   * expired (WeCom web OAuth `code`, DingTalk H5 micro-app 免登 `authCode`).
   */
  userIdFromAuthCode?(code: string): Promise<string | null>;
  /**
   * Where a browser goes to be signed in by the platform, which then sends it to `redirectUri`
   * with `code` and `state` (WeCom web OAuth). Absent where the page obtains the code itself
   * (DingTalk's JSAPI).
   */
  signInUrl?(redirectUri: string, state: string): string;
  /**
   * A JS-SDK signature for a page of ours opened in the platform's app (WeCom `ww.register`: corp or
   * agent config; DingTalk `dd.config`: corp only). `fresh` asks for a new ticket first (the page's
   * config failed); the platform may ignore it or limit how often it is honoured.
   */
  jsapiSignature?(kind: 'corp' | 'agent', url: string, fresh?: boolean): Promise<JsapiSignature>;
  /**
   * The bytes of a file or image someone sent (`file.remote`), at most `maxBytes` (WeCom `media/get`
   * or the intelligent bot's encrypted URL; DingTalk `robot/messageFiles/download`). Throws
   * InboundFileError.
   */
  fetchInboundFile?(file: InboundFile, maxBytes: number): Promise<FetchedFile>;
}

export interface JsapiSignature {
  timestamp: number;
  nonceStr: string;
  signature: string;
}

export interface PlatformAdapter extends PlatformClient, PlatformCapabilities {
  /** Messages per second the outbound worker may send through this platform (from configuration). */
  readonly sendRatePerSecond: number;
  /** HTTP routes of the platform (callbacks, the simulator's API and page), if any. */
  routes?(app: FastifyInstance): Promise<void>;
  start(sink: InboundSink): Promise<void>;
  stop(): Promise<void>;
  /**
   * Work the platform allows one connection at a time (WeCom's bot long connection: a second one
   * kicks the first off). With several instances it runs on the holder of the coordinator lease
   * only; `sendsNeedIt`: sending goes through it too, so this platform's outbound worker runs there.
   */
  readonly exclusive?: ExclusiveWork;
}

export interface ExclusiveWork {
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly sendsNeedIt: boolean;
}

/** What an adapter keeps about a card we sent (the platform's reference to it) and reads (its current model). */
export interface CardRefPort {
  get(cardId: string): Promise<{ platformRef: string | null; model: Card } | null>;
  setPlatformRef(cardId: string, platformRef: string): Promise<void>;
}

/** Personal sign-in links to our web pages (implemented by the page-access service). */
export interface SignInLinkPort {
  issueLink(userId: string, target: string): Promise<string>;
}

/** Stored images (chart PNGs) an adapter uploads to its platform. */
export interface MediaPort {
  get(id: string): Promise<{ mime: string; data: Buffer } | null>;
}
