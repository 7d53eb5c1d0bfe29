/**
 * The intelligent bot (智能机器人) long connection through the official `@wecom/aibot-node-sdk`:
 * it subscribes, keeps the heartbeat and reconnects with exponential backoff (base from config,
 * capped at 30 s by the SDK, unlimited attempts). This file only turns SDK results into our errors.
 * Protocol: https://developer.work.weixin.qq.com/document/path/101463
 */
import { WSClient } from '@wecom/aibot-node-sdk';
import type { Logger } from 'pino';
import { PlatformError } from '../types.js';
import type { WecomBotFrame, WecomTemplateCard } from './raw-types.js';

export interface BotOptions {
  botId: string;
  secret: string;
  wsUrl: string;
  reconnectBaseMs: number;
  log: Logger;
  heartbeatMs?: number;
}

/** Receipt codes after which a reply frame cannot be used any more (invalid req_id, update expired). */
const EXPIRED_REPLY_CODES = new Set([846605, 846608]);

export class WecomBot {
  private readonly ws: WSClient;
  private authenticated = false;

  constructor(private readonly o: BotOptions) {
    const log = o.log;
    this.ws = new WSClient({
      botId: o.botId,
      secret: o.secret,
      wsUrl: o.wsUrl,
      reconnectInterval: o.reconnectBaseMs,
      maxReconnectAttempts: -1,
      maxAuthFailureAttempts: -1,
      heartbeatInterval: o.heartbeatMs ?? 30_000,
      logger: {
        debug: (m: string) => log.debug(m),
        info: (m: string) => log.debug(m),
        warn: (m: string, ...a: unknown[]) => log.warn({ detail: a.map(String).join(' ') }, m),
        error: (m: string, ...a: unknown[]) => log.error({ detail: a.map(String).join(' ') }, m),
      },
    });
    this.ws.on('authenticated', () => {
      this.authenticated = true;
      log.info('WeCom bot long connection authenticated');
    });
    this.ws.on('disconnected', (reason) => {
      this.authenticated = false;
      log.warn({ reason }, 'WeCom bot long connection lost');
    });
    this.ws.on('error', (err) => log.error({ err }, 'WeCom bot connection error'));
  }

  get connected(): boolean {
    return this.authenticated && this.ws.isConnected;
  }

  /** Every `aibot_msg_callback` and `aibot_event_callback`. */
  onFrame(handler: (frame: WecomBotFrame) => void): void {
    this.ws.on('message', (frame) => handler(frame as WecomBotFrame));
    this.ws.on('event', (frame) => handler(frame as WecomBotFrame));
  }

  /** Connects; resolves when authenticated or after `waitMs` (a down WeCom must not block start-up). */
  async start(waitMs = 5000): Promise<void> {
    const ready = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, waitMs);
      this.ws.once('authenticated', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.ws.connect();
    await ready;
  }

  stop(): void {
    this.ws.disconnect();
  }

  /** `aibot_respond_msg` with a finished stream (the bot protocol's text reply). */
  replyText(frame: WecomBotFrame, streamId: string, markdown: string): Promise<void> {
    return this.guard('aibot_respond_msg', this.ws.replyStream(frame, streamId, markdown, true));
  }

  replyCard(frame: WecomBotFrame, card: WecomTemplateCard): Promise<void> {
    return this.guard('aibot_respond_msg', this.ws.replyTemplateCard(frame, card as never));
  }

  /** `aibot_respond_update_msg`: only with the click's own frame, within 5 s of the click. */
  updateCard(frame: WecomBotFrame, card: WecomTemplateCard, userids?: string[]): Promise<void> {
    return this.guard('aibot_respond_update_msg', this.ws.updateTemplateCard(frame, card as never, userids));
  }

  /** `aibot_send_msg`: proactive, to a user id (single chat) or a group chatid. */
  sendMarkdown(chatid: string, markdown: string): Promise<void> {
    return this.guard('aibot_send_msg', this.ws.sendMessage(chatid, { msgtype: 'markdown', markdown: { content: markdown } }));
  }

  sendCard(chatid: string, card: WecomTemplateCard): Promise<void> {
    return this.guard('aibot_send_msg', this.ws.sendMessage(chatid, { msgtype: 'template_card', template_card: card } as never));
  }

  /**
   * Temporary media upload over the long connection (`aibot_upload_media_init` / `_chunk` /
   * `_finish`, through the SDK's `uploadMedia`); the media id lives 3 days. A refused init or
   * finish is a BotReceiptError; a chunk the SDK could not send after its own retries is a retry.
   */
  async uploadImage(data: Buffer, filename: string): Promise<string> {
    const res = await this.guardValue('aibot_upload_media', this.ws.uploadMedia(data, { type: 'image', filename }));
    return res.media_id;
  }

  /** `aibot_respond_msg` with an image (a media id from uploadImage). */
  replyImage(frame: WecomBotFrame, mediaId: string): Promise<void> {
    return this.guard('aibot_respond_msg', this.ws.replyMedia(frame, 'image', mediaId));
  }

  /** `aibot_send_msg` with an image, to a user id or a group chatid. */
  sendImage(chatid: string, mediaId: string): Promise<void> {
    return this.guard('aibot_send_msg', this.ws.sendMediaMessage(chatid, 'image', mediaId));
  }

  private async guard(cmd: string, receipt: Promise<unknown>): Promise<void> {
    await this.guardValue(cmd, receipt);
  }

  private async guardValue<T>(cmd: string, receipt: Promise<T>): Promise<T> {
    try {
      return await receipt;
    } catch (error) {
      if (error && typeof error === 'object' && 'errcode' in error) {
        const { errcode, errmsg } = error as { errcode: number; errmsg?: string };
        throw new BotReceiptError(cmd, errcode, errmsg ?? '');
      }
      // Not connected or no receipt in time: the outbound queue retries with backoff.
      throw new PlatformError(`WeCom bot ${cmd} failed: ${(error as Error)?.message ?? String(error)}`, 'retry');
    }
  }
}

/** A receipt with errcode != 0. `expired` means the reply frame is spent: send proactively instead. */
export class BotReceiptError extends PlatformError {
  readonly expired: boolean;
  constructor(
    readonly cmd: string,
    readonly errcode: number,
    errmsg: string,
  ) {
    super(`WeCom bot ${cmd} refused: ${errcode} ${errmsg}`, errcode === -1 || errcode === 45009 || errcode === 45033 ? 'retry' : 'give-up');
    this.expired = EXPIRED_REPLY_CODES.has(errcode);
  }
}
