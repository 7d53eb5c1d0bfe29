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
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { closedButtonText, renderCardMarkdown, renderTemplateCard, truncateBytes } from '../../../cards/wecom.js';
import type { Card } from '../../../cards/model.js';
import type { PrismaClient } from '../../db/client.js';
import type { Directory } from '../../services/directory.js';
import { externalIdOf } from '../../services/ids.js';
import { MediaStore } from '../../services/media.js';
import { MediaIdCache, mediaFilename } from '../media-cache.js';
import { type BusySlot, type InboundSink, type OutboundContent, type OutboundTarget, type PlatformAdapter, PlatformError, type SendResult } from '../types.js';
import { WecomCalendar } from './calendar.js';
import { BotReceiptError, WecomBot } from './bot.js';
import { type WecomCardRef, parseCardRef, usableCode } from './card-ref.js';
import { type AppMessage, WecomClient } from './client.js';
import { type WecomConversationRef, parseConversationExternalId, taskIdOf } from './decode.js';
import { WecomApiError } from './errors.js';
import { WecomInbound } from './inbound.js';
import type { WecomBotFrame } from './raw-types.js';
import { wecomRoutes } from './routes.js';
import type { CallbackKeys } from './verify.js';
import type { WecomSettings } from './settings.js';

export interface WecomDeps {
  db: PrismaClient;
  directory: Directory;
  log: Logger;
  settings: WecomSettings;
  clock?: () => Date;
}

/** How long after a user's bot message we still answer on its frame (WeCom stops streams after 6 min). */
const REPLY_WINDOW_MS = 5 * 60_000;
/** aibot_respond_update_msg must come within 5 s of the click. */
const CARD_UPDATE_WINDOW_MS = 4_500;
const TEXT_BYTES = 2048;

/** Temporary media live 3 days; reuse an uploaded image for less than that. */
const MEDIA_TTL_MS = 60 * 3600_000;
/** errcode for a media_id WeCom does not (or no longer) know. */
const INVALID_MEDIA_ID = 40007;

type ImageContent = Extract<OutboundContent, { type: 'image' }>;

const URGENT_REPEATS = 3;
const URGENT_INTERVAL_MS = 60_000;

export class WecomAdapter implements PlatformAdapter {
  readonly name = 'wecom' as const;
  readonly sendRatePerSecond: number;
  readonly client: WecomClient | undefined;
  readonly bot: WecomBot | undefined;
  private readonly inbound: WecomInbound;
  private readonly now: () => Date;
  private readonly urgentSent = new Set<string>();
  private readonly calendar: WecomCalendar | undefined;
  private readonly media: MediaStore;
  /** Media ids by Media row: the app's uploads and the bot's are kept apart. */
  private readonly mediaIds: Record<'app' | 'bot', MediaIdCache>;

  constructor(private readonly deps: WecomDeps) {
    const { settings, log } = deps;
    this.now = deps.clock ?? (() => new Date());
    this.sendRatePerSecond = settings.sendRatePerSecond;
    this.media = new MediaStore(deps.db);
    const clockMs = () => this.now().getTime();
    this.mediaIds = { app: new MediaIdCache(MEDIA_TTL_MS, clockMs), bot: new MediaIdCache(MEDIA_TTL_MS, clockMs) };
    if (settings.app) {
      this.client = new WecomClient({ ...settings.app, log: log.child({ component: 'wecom-api' }), clock: () => this.now().getTime() });
    }
    if (this.client && settings.app!.scheduleCalendars.length > 0) {
      this.calendar = new WecomCalendar(this.client, settings.app!.scheduleCalendars, () => this.now().getTime());
    }
    if (settings.bot) this.bot = new WecomBot({ ...settings.bot, log: log.child({ component: 'wecom-bot' }) });
    this.inbound = new WecomInbound({ db: deps.db, directory: deps.directory, log, client: this.client, bot: this.bot, now: this.now });
  }

  async routes(app: FastifyInstance): Promise<void> {
    const a = this.deps.settings.app;
    if (!a) return;
    const keys: CallbackKeys = { token: a.token, encodingAesKey: a.encodingAesKey, receiveId: a.corpId, maxAgeSeconds: a.maxAgeSeconds };
    await app.register(wecomRoutes, { keys, inbound: this.inbound, now: this.now });
  }

  async start(sink: InboundSink): Promise<void> {
    this.inbound.attach(sink);
    if (this.bot) {
      this.bot.onFrame((frame) => void this.inbound.botFrame(frame));
      await this.bot.start();
    }
  }

  async stop(): Promise<void> {
    this.bot?.stop();
    this.inbound.attach(null);
  }

  // ---- outbound -------------------------------------------------------------

  async send(target: OutboundTarget, content: OutboundContent, idempotencyKey: string): Promise<SendResult> {
    const where = this.resolve(target);
    const frame = this.inbound.replyFrameFor(idempotencyKey, REPLY_WINDOW_MS);
    if (frame && this.bot && where.kind !== 'appchat') return this.botReply(frame, where, content, idempotencyKey);
    return this.sendFresh(where, content, 0);
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
    const content: OutboundContent = { type: 'markdown', markdown: `🚨 **紧急** ${text}` };
    const sendAll = (copy: number) => Promise.all(userIds.map((userId) => this.send({ kind: 'user', userId }, content, `${idempotencyKey}-u${copy}`)));
    await sendAll(0);
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
    const result = await this.sendFresh(where, { type: 'card', card }, copy + 1);
    if (result.platformRef) await this.deps.db.card.updateMany({ where: { id: card.id }, data: { platformRef: result.platformRef } });
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

  private async botReply(frame: WecomBotFrame, where: WecomConversationRef, content: OutboundContent, key: string): Promise<SendResult> {
    const bot = this.bot!;
    try {
      if (content.type === 'card' && hasOpenActions(content.card)) {
        await bot.replyCard(frame, renderTemplateCard(content.card, taskIdOf(content.card.id)));
        return { platformRef: JSON.stringify({ via: 'bot', copy: 0 } satisfies WecomCardRef) };
      }
      const streamId = createHash('sha1').update(key).digest('hex');
      if (content.type === 'image') {
        return await this.withMedia('bot', content, (mediaId) => bot.replyImage(frame, mediaId), () => bot.replyText(frame, streamId, markdownOf(content)));
      }
      await bot.replyText(frame, streamId, markdownOf(content));
      return {};
    } catch (error) {
      if (error instanceof BotReceiptError && error.expired) return this.sendFresh(where, content, 0);
      throw error;
    }
  }

  /** A message outside any reply window: see the path table at the top of this file. */
  private async sendFresh(where: WecomConversationRef, content: OutboundContent, copy: number): Promise<SendResult> {
    const { client, bot } = this;
    if (where.kind === 'appchat') {
      if (!client) throw new PlatformError('WeCom app is not configured', 'give-up');
      if (content.type === 'image') {
        return this.withMedia('app', content, (mediaId) => client.sendAppChat(where.id, imageMessage(mediaId)), () => client.sendAppChat(where.id, { msgtype: 'text', text: { content: markdownOf(content) } }));
      }
      await client.sendAppChat(where.id, content.type === 'text' ? { msgtype: 'text', text: { content: truncateBytes(content.text, TEXT_BYTES) } } : { msgtype: 'markdown', markdown: { content: markdownOf(content) } });
      return {};
    }
    if (where.kind === 'dm' && client) return this.appSend([where.id], content, copy);
    if (!bot) throw new PlatformError('WeCom group messages need the intelligent bot (WECOM_BOT_ID)', 'give-up');
    try {
      if (content.type === 'card' && hasOpenActions(content.card)) {
        await bot.sendCard(where.id, renderTemplateCard(content.card, taskIdOf(content.card.id, copy)));
        return { platformRef: JSON.stringify({ via: 'bot', copy } satisfies WecomCardRef) };
      }
      if (content.type === 'image') {
        return await this.withMedia('bot', content, (mediaId) => bot.sendImage(where.id, mediaId), () => bot.sendMarkdown(where.id, markdownOf(content)));
      }
      await bot.sendMarkdown(where.id, markdownOf(content));
      return {};
    } catch (error) {
      if (!(error instanceof BotReceiptError) || where.kind !== 'group' || !client) throw error;
      const members = await this.inbound.groupMembers(where.id);
      if (members.length === 0) throw error;
      this.deps.log.warn({ err: error, chatid: where.id }, 'bot refused a proactive group message; sending to its members through the app');
      return this.appSend(members, content, copy);
    }
  }

  private async appSend(userids: string[], content: OutboundContent, copy: number): Promise<SendResult> {
    const client = this.client!;
    if (content.type === 'card' && hasOpenActions(content.card)) {
      const res = await client.sendMessage(userids, { msgtype: 'template_card', template_card: renderTemplateCard(content.card, taskIdOf(content.card.id, copy)) });
      const ref: WecomCardRef = { via: 'app', copy, ...(res.response_code ? { code: res.response_code, codeAt: this.now().getTime(), codeFor: 'all' } : {}) };
      return { platformRef: JSON.stringify(ref) };
    }
    if (content.type === 'image') {
      return this.withMedia('app', content, (mediaId) => client.sendMessage(userids, imageMessage(mediaId)), () => client.sendMessage(userids, { msgtype: 'text', text: { content: markdownOf(content) } }));
    }
    if (content.type === 'text') await client.sendMessage(userids, { msgtype: 'text', text: { content: truncateBytes(content.text, TEXT_BYTES) } });
    else await client.sendMessage(userids, { msgtype: 'markdown', markdown: { content: markdownOf(content) } });
    return {};
  }

  /**
   * Sends an image through one channel: its media id (uploaded once per Media row, cached), then
   * `deliver`. An upload refused for good (or a missing Media row) sends `sendAlt` instead; a cached
   * id WeCom no longer accepts is uploaded again once. Other errors go to the caller (retry).
   */
  private async withMedia(via: 'app' | 'bot', content: ImageContent, deliver: (mediaId: string) => Promise<unknown>, sendAlt: () => Promise<unknown>): Promise<SendResult> {
    const cache = this.mediaIds[via];
    const upload = async () => {
      const png = await this.media.get(content.mediaId);
      if (!png) throw new PlatformError(`Media ${content.mediaId} not found`, 'give-up');
      const filename = mediaFilename(content.mediaId, png.mime);
      return via === 'app' ? this.client!.uploadImage(png.data, filename, png.mime) : this.bot!.uploadImage(png.data, filename);
    };
    for (let attempt = 0; ; attempt++) {
      let media: { mediaId: string; fresh: boolean };
      try {
        media = await cache.get(content.mediaId, upload);
      } catch (error) {
        if (!(error instanceof PlatformError) || error.action !== 'give-up') throw error;
        this.deps.log.warn({ err: error, mediaId: content.mediaId, via }, 'WeCom image upload failed for good; sending its alt text instead');
        await sendAlt();
        return {};
      }
      try {
        await deliver(media.mediaId);
        return {};
      } catch (error) {
        const invalidMedia = (error instanceof WecomApiError || error instanceof BotReceiptError) && error.errcode === INVALID_MEDIA_ID;
        if (!invalidMedia || media.fresh || attempt > 0) throw error;
        this.deps.log.info({ mediaId: content.mediaId, via }, 'WeCom no longer knows a cached media id; uploading again');
        cache.forget(content.mediaId);
      }
    }
  }

  private async saveRef(cardId: string, ref: WecomCardRef): Promise<void> {
    await this.deps.db.card.updateMany({ where: { id: cardId }, data: { platformRef: JSON.stringify(ref) } });
  }
}

function hasOpenActions(card: Card): boolean {
  return !card.state?.closed && (card.actions?.length ?? 0) > 0;
}

function markdownOf(content: OutboundContent): string {
  switch (content.type) {
    case 'card':
      return renderCardMarkdown(content.card);
    case 'text':
      return truncateBytes(content.text, TEXT_BYTES);
    case 'markdown':
      return truncateBytes(content.markdown, TEXT_BYTES);
    case 'image':
      // Only when the image itself cannot be sent (upload refused for good): its text alternative.
      return truncateBytes(content.alt, TEXT_BYTES);
  }
}

function imageMessage(mediaId: string): Extract<AppMessage, { msgtype: 'image' }> {
  return { msgtype: 'image', image: { media_id: mediaId } };
}
