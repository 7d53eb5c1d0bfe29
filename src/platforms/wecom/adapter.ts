/**
 * The WeCom platform: the self-built app (callbacks at /wecom/callback, server API for sending)
 * and the intelligent bot (long connection), either or both, from configuration.
 *
 * Which path each notification takes (also in docs/wecom.md):
 * - a reply to a bot message (group or single chat) -> `aibot_respond_msg` on that message's frame;
 * - a card update after a bot card click, within 5 s -> `aibot_respond_update_msg`;
 * - a card update after an app card click -> `message/update_template_card` with the click's
 *   response code (else the send's code); a spent or expired code -> a fresh card;
 * - anything to a person (DM, due reminder, escalation) -> the app's `message/send` when the app is
 *   configured, else the bot's `aibot_send_msg` to the userid;
 * - anything proactive to a bot group -> `aibot_send_msg`; if the bot refuses it, the app's
 *   `message/send` to the group members we know;
 * - an app-owned group chat (`appchat`) -> `appchat/send` (cards as markdown: no template cards there).
 *
 * Images (`{type:'image'}`, a Media row) take the same paths: uploaded once per Media row and channel
 * (app: `media/upload`; bot: the SDK's chunked upload over the long connection), the media id reused
 * for MEDIA_TTL_MS, then an `image` message (`message/send`, `appchat/send`, `aibot_respond_msg`,
 * `aibot_send_msg`). An upload refused for good (or a missing Media row) sends the alt text instead
 * and logs a warning; a transient upload failure retries the job. A cached media id WeCom refuses
 * (40007) is uploaded again once.
 *
 * The adapter picks the path; the send paths themselves (and the image uploads) are in `outbound.ts`.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { closedButtonText, renderTemplateCard } from './card-render.js';
import type { Card } from '../../../cards/model.js';
import type { Directory } from '../../services/directory.js';
import { externalIdOf } from '../../services/ids.js';
import { type BusySlot, type CardRefPort, type ExclusiveWork, type FetchedFile, type InboundFile, type JsapiSignature, type MediaPort, type InboundSink, type OutboundContent, type OutboundTarget, type PlatformAdapter, PlatformError, type SendResult } from '../types.js';
import { WecomCalendar } from './calendar.js';
import { BotReceiptError, WecomBot } from './bot.js';
import type { OnceLedger } from '../../redis/once.js';
import { type WecomCardRef, parseCardRef, usableCode } from './card-ref.js';
import { WecomClient } from './client.js';
import { type WecomConversationRef, parseConversationExternalId, taskIdOf } from './decode.js';
import { WecomInbound } from './inbound.js';
import { WecomJsapi } from './jsapi.js';
import { fetchWecomFile } from './media-in.js';
import { WecomOutbound } from './outbound.js';
import { wecomRoutes } from './routes.js';
import type { CallbackKeys } from './verify.js';
import type { WecomSettings } from './settings.js';

export interface WecomDeps {
  cardRefs: CardRefPort;
  media: MediaPort;
  directory: Directory;
  log: Logger;
  settings: WecomSettings;
  clock?: () => Date;
  /** Shared by every instance (Redis): an urgent message retried on another instance is still sent once. */
  once?: OnceLedger;
}

/** How long after a user's bot message we still answer on its frame (WeCom stops streams after 6 min). */
const REPLY_WINDOW_MS = 5 * 60_000;
/** aibot_respond_update_msg must come within 5 s of the click. */
const CARD_UPDATE_WINDOW_MS = 4_500;

const URGENT_REPEATS = 3;
/** How long an urgent message's key is remembered across instances (escalations retry within hours). */
const URGENT_ONCE_MS = 7 * 86_400_000;
const URGENT_INTERVAL_MS = 60_000;

/** WeCom web OAuth's authorize page (https://developer.work.weixin.qq.com/document/path/91022). */
const WECOM_OAUTH_AUTHORIZE = 'https://open.weixin.qq.com/connect/oauth2/authorize';

export class WecomAdapter implements PlatformAdapter {
  readonly name = 'wecom' as const;
  readonly sendRatePerSecond: number;
  readonly client: WecomClient | undefined;
  private jsapi: WecomJsapi | undefined;
  readonly bot: WecomBot | undefined;
  private readonly inbound: WecomInbound;
  private readonly now: () => Date;
  private readonly urgentSent = new Set<string>();
  private readonly calendar: WecomCalendar | undefined;
  private readonly outbound: WecomOutbound;

  constructor(private readonly deps: WecomDeps) {
    const { settings, log } = deps;
    this.now = deps.clock ?? (() => new Date());
    this.sendRatePerSecond = settings.sendRatePerSecond;
    if (settings.app) {
      this.client = new WecomClient({ ...settings.app, log: log.child({ component: 'wecom-api' }), clock: () => this.now().getTime() });
    }
    if (this.client && settings.app!.scheduleCalendars.length > 0) {
      this.calendar = new WecomCalendar(this.client, settings.app!.scheduleCalendars, () => this.now().getTime());
    }
    if (settings.bot) this.bot = new WecomBot({ ...settings.bot, log: log.child({ component: 'wecom-bot' }) });
    this.inbound = new WecomInbound({ cardRefs: deps.cardRefs, directory: deps.directory, log, client: this.client, bot: this.bot, now: this.now });
    this.outbound = new WecomOutbound({ media: deps.media, log, client: this.client, bot: this.bot, inbound: this.inbound, now: this.now });
    const bot = this.bot;
    // Bot replies, proactive bot sends and bot uploads all go over the connection.
    this.exclusive = bot && { start: () => bot.start(), stop: async () => bot.stop(), sendsNeedIt: true };
  }

  async routes(app: FastifyInstance): Promise<void> {
    const a = this.deps.settings.app;
    if (!a) return;
    const keys: CallbackKeys = { token: a.token, encodingAesKey: a.encodingAesKey, receiveId: a.corpId, maxAgeSeconds: a.maxAgeSeconds };
    await app.register(wecomRoutes, { keys, inbound: this.inbound, now: this.now });
  }

  /** The bot's long connection (WeCom keeps one per bot): connected by the instance holding the coordinator lease. */
  readonly exclusive: ExclusiveWork | undefined;

  async start(sink: InboundSink): Promise<void> {
    this.inbound.attach(sink);
    this.bot?.onFrame((frame) => void this.inbound.botFrame(frame));
  }

  async stop(): Promise<void> {
    this.bot?.stop();
    this.inbound.attach(null);
  }

  // ---- outbound -------------------------------------------------------------

  async send(target: OutboundTarget, content: OutboundContent, idempotencyKey: string): Promise<SendResult> {
    const where = this.resolve(target);
    const frame = this.inbound.replyFrameFor(idempotencyKey, REPLY_WINDOW_MS);
    if (frame && this.bot && where.kind !== 'appchat') return this.outbound.botReply(frame, where, content, idempotencyKey);
    return this.outbound.sendFresh(where, content, 0);
  }

  /** The member a web OAuth code stands for (self-built app mode only). */
  async userIdFromAuthCode(code: string): Promise<string | null> {
    return this.client ? this.client.userIdFromCode(code) : null;
  }

  /** WeCom's authorize page: silent (snsapi_base) inside the WeCom client, for members of the corp. */
  signInUrl(redirectUri: string, state: string): string {
    const a = this.deps.settings.app;
    const url = new URL(WECOM_OAUTH_AUTHORIZE);
    url.searchParams.set('appid', a?.corpId ?? '');
    url.searchParams.set('redirect_uri', redirectUri);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('scope', 'snsapi_base');
    url.searchParams.set('state', state);
    url.searchParams.set('agentid', String(a?.agentId ?? ''));
    return `${url.toString()}#wechat_redirect`;
  }

  /** The JS-SDK signature for `ww.register` on our scanner page (the app must be configured). */
  async jsapiSignature(kind: 'corp' | 'agent', url: string): Promise<JsapiSignature> {
    if (!this.client) throw new PlatformError('WeCom app is not configured', 'give-up');
    this.jsapi ??= new WecomJsapi(this.client, () => this.now().getTime());
    return this.jsapi.signature(kind, url);
  }

  /** The bytes of a file or image someone sent (app: media/get; bot: the encrypted URL). */
  fetchInboundFile(file: InboundFile, maxBytes: number): Promise<FetchedFile> {
    return fetchWecomFile(this.client, file, maxBytes);
  }

  /** Busy times from the WeCom calendars named in WECOM_SCHEDULE_CALENDARS (none configured: none). */
  async freeBusy(userId: string, from: Date, to: Date): Promise<BusySlot[]> {
    return this.calendar ? this.calendar.busy(externalIdOf(userId), from, to) : [];
  }

  /**
   * WeCom has no DING: an urgent notification is a 🚨 markdown message repeated
   * URGENT_REPEATS times, URGENT_INTERVAL_MS apart, so it is noticed. The first copy is sent
   * before this returns (a failure retries the escalation job); the repeats are best effort.
   */
  async sendUrgent(userIds: readonly string[], text: string, idempotencyKey: string): Promise<void> {
    if (this.urgentSent.has(idempotencyKey)) return;
    if (this.deps.once && !(await this.deps.once.claim(`wecom-urgent:${idempotencyKey}`, URGENT_ONCE_MS))) return;
    // `text` arrives worded for its reader (the urgency said in their language); the mark is language-neutral.
    const content: OutboundContent = { type: 'markdown', markdown: `🚨 **${text}**` };
    const sendAll = (copy: number) => Promise.all(userIds.map((userId) => this.send({ kind: 'user', userId }, content, `${idempotencyKey}-u${copy}`)));
    try {
      await sendAll(0);
    } catch (error) {
      await this.deps.once?.release(`wecom-urgent:${idempotencyKey}`);
      throw error;
    }
    this.urgentSent.add(idempotencyKey);
    for (let copy = 1; copy < URGENT_REPEATS; copy++) {
      setTimeout(() => void sendAll(copy).catch((err: unknown) => this.deps.log.warn({ err, idempotencyKey }, 'urgent repeat failed')), copy * URGENT_INTERVAL_MS).unref();
    }
  }

  async updateCard(card: Card, target: OutboundTarget, platformRef: string | null): Promise<SendResult> {
    const ref = parseCardRef(platformRef);
    const where = this.resolve(target);
    const copy = ref?.copy ?? 0;
    const click = this.inbound.clickFrameFor(card.id, CARD_UPDATE_WINDOW_MS);
    if (click && this.bot && (ref?.via ?? 'bot') === 'bot') {
      try {
        await this.bot.updateCard(click.frame, renderTemplateCard(card, taskIdOf(card.id, copy)), [click.userid]);
        return {};
      } catch (error) {
        if (!(error instanceof BotReceiptError)) throw error;
        this.deps.log.info({ err: error, cardId: card.id }, 'bot card update refused; sending a fresh card');
      }
    }
    const code = ref?.via === 'app' ? usableCode(ref, this.now().getTime()) : null;
    if (code && this.client) {
      try {
        const change = card.state?.closed
          ? { button: { replace_name: closedButtonText(card) } }
          : { template_card: renderTemplateCard(card, taskIdOf(card.id, copy)) };
        await this.client.updateTemplateCard(code.code, code.userids, change);
        await this.saveRef(card.id, { ...ref!, code: undefined, codeAt: undefined, codeFor: undefined });
        return {};
      } catch (error) {
        // Throttling, token or network trouble: retry the update later. Anything else means the code
        // cannot be used (spent, expired, wrong user): fall through to a fresh card.
        if (!(error instanceof PlatformError) || error.action !== 'give-up') throw error;
        this.deps.log.info({ err: error, cardId: card.id }, 'update_template_card refused; sending a fresh card');
      }
    }
    const result = await this.outbound.sendFresh(where, { type: 'card', card }, copy + 1);
    if (result.platformRef) await this.deps.cardRefs.setPlatformRef(card.id, result.platformRef);
    return {};
  }

  /** Creates an app-owned group chat (the app's visible scope must be the root department). */
  async createAppChat(name: string, ownerUserId: string, memberUserIds: readonly string[]): Promise<string> {
    if (!this.client) throw new PlatformError('WeCom app is not configured', 'give-up');
    const chatid = await this.client.createAppChat(name, externalIdOf(ownerUserId), memberUserIds.map(externalIdOf));
    const conv = await this.deps.directory.upsertConversation({ platform: 'wecom', externalId: `appchat:${chatid}`, name, type: 'group', memberIds: [...memberUserIds] });
    return conv.id;
  }

  private resolve(target: OutboundTarget): WecomConversationRef {
    if (target.kind === 'user') return { kind: 'dm', id: externalIdOf(target.userId) };
    const ref = parseConversationExternalId(externalIdOf(target.conversationId));
    if (!ref) throw new PlatformError(`not a WeCom conversation: ${target.conversationId}`, 'give-up');
    return ref;
  }

  private async saveRef(cardId: string, ref: WecomCardRef): Promise<void> {
    await this.deps.cardRefs.setPlatformRef(cardId, JSON.stringify(ref));
  }
}
