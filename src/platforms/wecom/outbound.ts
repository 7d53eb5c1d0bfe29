/**
 * WeCom's outbound send paths for a message (the path table is at the top of `adapter.ts`): a
 * reply on a bot message's frame, or a fresh message through the app's `message/send`,
 * `appchat/send` or the bot's `aibot_send_msg` (falling back to the app for a group the bot
 * refuses), and images through each channel's media upload with its media-id cache. Kept apart
 * from the adapter, which picks the path and owns card updates, urgent repeats and the lifecycle.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { renderCardMarkdown, renderTemplateCard, truncateBytes } from './card-render.js';
import type { Card } from '../../../cards/model.js';
import { MediaIdCache, mediaFilename } from '../media-cache.js';
import { type MediaPort, type OutboundContent, PlatformError, type SendResult } from '../types.js';
import { BotReceiptError, type WecomBot } from './bot.js';
import type { WecomCardRef } from './card-ref.js';
import type { AppMessage, WecomClient } from './client.js';
import { type WecomConversationRef, taskIdOf } from './decode.js';
import { WecomApiError } from './errors.js';
import type { WecomInbound } from './inbound.js';
import type { WecomBotFrame } from './raw-types.js';

export interface WecomOutboundDeps {
  media: MediaPort;
  log: Logger;
  client: WecomClient | undefined;
  bot: WecomBot | undefined;
  inbound: WecomInbound;
  now: () => Date;
}

const TEXT_BYTES = 2048;

/** Temporary media live 3 days; reuse an uploaded image for less than that. */
const MEDIA_TTL_MS = 60 * 3600_000;
/** errcode for a media_id WeCom does not (or no longer) know. */
const INVALID_MEDIA_ID = 40007;

type ImageContent = Extract<OutboundContent, { type: 'image' }>;

export class WecomOutbound {
  private readonly client: WecomClient | undefined;
  private readonly bot: WecomBot | undefined;
  private readonly now: () => Date;
  private readonly media: MediaPort;
  /** Media ids by Media row: the app's uploads and the bot's are kept apart. */
  private readonly mediaIds: Record<'app' | 'bot', MediaIdCache>;

  constructor(private readonly deps: WecomOutboundDeps) {
    this.client = deps.client;
    this.bot = deps.bot;
    this.now = deps.now;
    this.media = deps.media;
    const clockMs = () => this.now().getTime();
    this.mediaIds = { app: new MediaIdCache(MEDIA_TTL_MS, clockMs), bot: new MediaIdCache(MEDIA_TTL_MS, clockMs) };
  }

  async botReply(frame: WecomBotFrame, where: WecomConversationRef, content: OutboundContent, key: string): Promise<SendResult> {
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

  /** A message outside any reply window: see the path table at the top of `adapter.ts`. */
  async sendFresh(where: WecomConversationRef, content: OutboundContent, copy: number): Promise<SendResult> {
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
      const members = await this.deps.inbound.groupMembers(where.id);
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
