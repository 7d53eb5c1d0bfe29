/**
 * The WeCom server API for the self-built app: access token cache, message/send, appchat,
 * update_template_card, user/get, media/upload (temporary media). Every call puts the token in the query string (WeCom answers
 * 41001 otherwise) and every answer is HTTP 200 + errcode.
 * Docs: https://developer.work.weixin.qq.com/document/path/91039 (token), /path/90236 (send).
 */
import type { Logger } from 'pino';
import { PlatformError } from '../types.js';
import { THROTTLE_ERRORS, TOKEN_ERRORS, WecomApiError } from './errors.js';
import type { WecomApiResponse, WecomMediaUploadResponse, WecomSendResponse, WecomTemplateCard, WecomTokenResponse, WecomUserResponse } from './raw-types.js';

export interface WecomClientOptions {
  apiBase: string;
  corpId: string;
  secret: string;
  agentId: number;
  /** How long every call waits after a throttling errcode before calling WeCom again. */
  throttlePauseMs: number;
  log: Logger;
  clock?: () => number;
  timeoutMs?: number;
}

/** Refresh this long before WeCom's stated expiry, so a token never dies mid-burst. */
const TOKEN_MARGIN_MS = 5 * 60_000;

export type AppMessage =
  | { msgtype: 'text'; text: { content: string } }
  | { msgtype: 'markdown'; markdown: { content: string } }
  | { msgtype: 'image'; image: { media_id: string } }
  | { msgtype: 'template_card'; template_card: WecomTemplateCard };

export type CardChange = { template_card: WecomTemplateCard } | { button: { replace_name: string } };

export class WecomClient {
  private token: { value: string; refreshAt: number } | null = null;
  private fetching: Promise<string> | null = null;
  private pausedUntil = 0;
  private readonly now: () => number;

  constructor(private readonly o: WecomClientOptions) {
    this.now = o.clock ?? Date.now;
  }

  get apiBase(): string {
    return this.o.apiBase;
  }

  get agentId(): number {
    return this.o.agentId;
  }

  /** POST /cgi-bin/message/send: recipients joined by `|`; returns msgid and, for updatable cards, response_code. */
  async sendMessage(touser: readonly string[], message: AppMessage): Promise<WecomSendResponse> {
    const res = await this.call<WecomSendResponse>('message/send', { touser: touser.join('|'), agentid: this.o.agentId, ...message, enable_duplicate_check: 0 });
    if (res.invaliduser) this.o.log.warn({ invaliduser: res.invaliduser }, 'WeCom skipped invalid recipients');
    return res;
  }

  async createAppChat(name: string, owner: string, userlist: readonly string[], chatid?: string): Promise<string> {
    const res = await this.call<WecomApiResponse & { chatid?: string }>('appchat/create', { name, owner, userlist, ...(chatid ? { chatid } : {}) });
    return String(res.chatid ?? chatid);
  }

  /** appchat/send has no agentid and no template_card. */
  async sendAppChat(chatid: string, message: Exclude<AppMessage, { msgtype: 'template_card' }>): Promise<void> {
    await this.call('appchat/send', { chatid, ...message, safe: 0 });
  }

  /**
   * Replaces `userids`' copy of a card (arrays here, unlike message/send): either with a whole new
   * card (same task_id) or by turning the buttons into disabled text (`button.replace_name`).
   */
  async updateTemplateCard(responseCode: string, userids: readonly string[] | 'all', change: CardChange): Promise<void> {
    await this.call('message/update_template_card', {
      ...(userids === 'all' ? { atall: 1 } : { userids }),
      agentid: this.o.agentId,
      response_code: responseCode,
      ...change,
    });
  }

  /**
   * POST /cgi-bin/media/upload?type=image: multipart/form-data, one part named `media` with a
   * filename and content type. Returns the temporary media id (valid 3 days).
   * Docs: https://developer.work.weixin.qq.com/document/path/90253
   */
  async uploadImage(data: Buffer, filename: string, mime: string): Promise<string> {
    const form = () => {
      const f = new FormData();
      f.append('media', new Blob([new Uint8Array(data)], { type: mime }), filename);
      return f;
    };
    const res = await this.call<WecomMediaUploadResponse>('media/upload', form, { type: 'image' });
    if (!res.media_id) throw new WecomApiError('media/upload', -1, 'answer without media_id');
    return res.media_id;
  }

  async getUser(userid: string): Promise<{ userid: string; name: string } | null> {
    try {
      const res = await this.call<WecomUserResponse>('user/get', undefined, { userid });
      return { userid, name: res.name || userid };
    } catch (error) {
      if (error instanceof WecomApiError && error.action === 'give-up') return null;
      throw error;
    }
  }

  /**
   * Web OAuth (网页授权登录): the member userid a `code` from the authorize redirect stands for.
   * A wrong, used (codes are single-use) or expired (5 min) code answers 40029: null. A visitor
   * who is not a member of the corp gets an `openid` instead: null too.
   * https://developer.work.weixin.qq.com/document/path/91023
   */
  async userIdFromCode(code: string): Promise<string | null> {
    try {
      const res = await this.call<WecomApiResponse & { userid?: string; UserId?: string }>('auth/getuserinfo', undefined, { code });
      return res.userid ?? res.UserId ?? null;
    } catch (error) {
      if (error instanceof WecomApiError && error.action === 'give-up') {
        this.o.log.warn({ errcode: error.errcode }, 'WeCom sign-in code refused');
        return null;
      }
      throw error;
    }
  }

  /**
   * A call with the cached token; on 40014/42001 the token is refreshed once and the call repeated once.
   * `body` is JSON, or a function building a multipart form (a fresh one per attempt).
   */
  async call<T extends WecomApiResponse>(api: string, body?: unknown, query: Record<string, string> = {}): Promise<T> {
    const wait = this.pausedUntil - this.now();
    if (wait > 0) throw new PlatformError(`WeCom throttled us; paused for ${wait} ms`, 'retry', wait);
    let res = await this.request<T>(api, body, query, await this.accessToken());
    if (TOKEN_ERRORS.has(res.errcode)) {
      this.o.log.info({ api, errcode: res.errcode }, 'WeCom token rejected; refreshing once');
      res = await this.request<T>(api, body, query, await this.accessToken(true));
    }
    if (res.errcode !== 0) {
      if (THROTTLE_ERRORS.has(res.errcode)) this.pausedUntil = this.now() + this.o.throttlePauseMs;
      throw new WecomApiError(api, res.errcode, res.errmsg, THROTTLE_ERRORS.has(res.errcode) ? this.o.throttlePauseMs : undefined);
    }
    return res;
  }

  /** The cached token, fetched once for concurrent callers; `force` drops the cached one. */
  async accessToken(force = false): Promise<string> {
    if (force) this.token = null;
    if (this.token && this.now() < this.token.refreshAt) return this.token.value;
    this.fetching ??= this.fetchToken().finally(() => {
      this.fetching = null;
    });
    return this.fetching;
  }

  private async fetchToken(): Promise<string> {
    const url = new URL('/cgi-bin/gettoken', this.o.apiBase);
    url.searchParams.set('corpid', this.o.corpId);
    url.searchParams.set('corpsecret', this.o.secret);
    const res = await this.http<WecomTokenResponse>('gettoken', url, undefined);
    if (res.errcode !== 0 || !res.access_token) throw new WecomApiError('gettoken', res.errcode, res.errmsg);
    const lifetimeMs = (res.expires_in ?? 7200) * 1000;
    this.token = { value: res.access_token, refreshAt: this.now() + Math.max(lifetimeMs - TOKEN_MARGIN_MS, lifetimeMs / 2) };
    return res.access_token;
  }

  private request<T extends WecomApiResponse>(api: string, body: unknown, query: Record<string, string>, token: string): Promise<T> {
    const url = new URL(`/cgi-bin/${api}`, this.o.apiBase);
    url.searchParams.set('access_token', token);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    return this.http<T>(api, url, body);
  }

  private async http<T>(api: string, url: URL, body: unknown): Promise<T> {
    let res: Response;
    // A multipart body: fetch sets the content type with its boundary.
    const form = typeof body === 'function' ? (body as () => FormData)() : null;
    try {
      res = await fetch(url, {
        method: body === undefined ? 'GET' : 'POST',
        headers: body === undefined || form ? {} : { 'content-type': 'application/json' },
        body: form ?? (body === undefined ? undefined : JSON.stringify(body)),
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 10_000),
      });
    } catch (error) {
      throw new PlatformError(`WeCom ${api} unreachable: ${(error as Error).message}`, 'retry');
    }
    if (res.status !== 200) throw new PlatformError(`WeCom ${api} answered HTTP ${res.status}`, res.status >= 500 || res.status === 429 ? 'retry' : 'give-up');
    try {
      return (await res.json()) as T;
    } catch {
      throw new PlatformError(`WeCom ${api} answered with invalid JSON`, 'retry');
    }
  }
}
