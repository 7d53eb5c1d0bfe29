/**
 * DingTalk OpenAPI over fetch: the access token cached until shortly before it expires (and
 * refreshed after a 401), and one shared pause after a QPS rejection so every concurrent send
 * backs off together instead of hammering the limit.
 * https://open.dingtalk.com/document/orgapp/obtain-the-access-token-of-an-internal-app
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { classify, DingTalkApiError } from './errors.js';
import type { OpenApiErrorBody } from './raw-types.js';

export interface OpenApiOptions {
  baseUrl: string;
  /** Base of the legacy `oapi.dingtalk.com` API (token in the query, errors as `errcode`). */
  legacyBaseUrl: string;
  clientId: string;
  clientSecret: string;
  /** Pause of all calls after a QPS rejection, before jitter. */
  qpsBackoffMs: number;
  clock?: () => number;
  timeoutMs?: number;
}

/** Refresh this long before the token's stated expiry (the official Python SDK keeps 5 minutes). */
const TOKEN_MARGIN_MS = 5 * 60_000;

export class OpenApiClient {
  private token: { value: string; expiresAt: number } | null = null;
  private refreshing: Promise<string> | null = null;
  private pausedUntil = 0;
  private readonly now: () => number;

  constructor(private readonly opts: OpenApiOptions) {
    this.now = opts.clock ?? Date.now;
  }

  /** A valid access token, fetched once for concurrent callers. */
  async accessToken(force = false): Promise<string> {
    if (!force && this.token && this.now() < this.token.expiresAt) return this.token.value;
    this.refreshing ??= this.fetchToken().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /** Calls an `api.dingtalk.com` endpoint with the token; a 401 refreshes the token and retries once. */
  async call<T>(method: 'POST' | 'PUT', path: string, body: unknown): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      await this.waitIfPaused();
      const token = await this.accessToken(attempt > 0);
      try {
        return await this.request<T>(method, path, body, { 'x-acs-dingtalk-access-token': token });
      } catch (error) {
        if (error instanceof DingTalkApiError && error.kind === 'auth' && attempt === 0) {
          this.token = null;
          continue;
        }
        if (error instanceof DingTalkApiError && error.kind === 'qps') this.pause(error.retryAfterMs);
        throw error;
      }
    }
  }

  /**
   * Calls a legacy `oapi.dingtalk.com` endpoint (the same app token, in the query string). Those
   * answer HTTP 200 with `errcode`; a non-zero one becomes a DingTalkApiError like the new API's.
   */
  async legacyCall<T>(path: string, body: unknown): Promise<T> {
    return this.legacy<T>(path, {}, () => body);
  }

  /** A legacy GET (e.g. `get_jsapi_ticket`): the token and `query` in the query string, no body. */
  async legacyGet<T>(path: string, query: Record<string, string> = {}): Promise<T> {
    return this.legacy<T>(path, query, () => undefined, 'GET');
  }

  /**
   * A legacy multipart upload: `POST {oapi}/media/upload?access_token=…&type=image` with the file in
   * the part `media` (filename and content type). Answers `{errcode, errmsg, type, media_id, created_at}`.
   * https://open.dingtalk.com/document/orgapp/upload-media-files
   */
  async uploadMedia(type: 'image' | 'file' | 'voice', data: Buffer, filename: string, mime: string): Promise<string> {
    const answer = await this.legacy<{ media_id?: string }>('/media/upload', { type }, () => {
      const form = new FormData();
      form.append('media', new Blob([new Uint8Array(data)], { type: mime }), filename);
      return form;
    });
    if (!answer.media_id) throw new DingTalkApiError('transient', 200, '', 'DingTalk /media/upload answered without media_id');
    return answer.media_id;
  }

  /** Legacy call: token and `query` in the query string; an expired or invalid token is refreshed once. */
  private async legacy<T>(path: string, query: Record<string, string>, body: () => unknown, method: 'GET' | 'POST' = 'POST'): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      await this.waitIfPaused();
      const token = await this.accessToken(attempt > 0);
      const url = new URL(`${this.opts.legacyBaseUrl.replace(/\/$/, '')}${path}`);
      url.searchParams.set('access_token', token);
      for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
      const answer = await this.request<T & { errcode?: number; errmsg?: string }>(method, url.toString(), body());
      if (!answer.errcode) return answer;
      const kind = legacyErrorKind(answer.errcode);
      if (kind === 'auth' && attempt === 0) continue;
      if (kind === 'qps') this.pause();
      throw new DingTalkApiError(kind, 200, String(answer.errcode), `DingTalk ${path}: ${answer.errcode} ${answer.errmsg ?? ''}`);
    }
  }

  /** Milliseconds left in the current QPS pause (0 when none). */
  pauseLeftMs(): number {
    return Math.max(0, this.pausedUntil - this.now());
  }

  private pause(atLeastMs?: number): void {
    const ms = Math.max(atLeastMs ?? 0, this.opts.qpsBackoffMs * (1 + Math.random()));
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
  }

  private async waitIfPaused(): Promise<void> {
    const left = this.pauseLeftMs();
    if (left > 0) await sleep(left);
  }

  private async fetchToken(): Promise<string> {
    const res = await this.request<{ accessToken?: string; expireIn?: number }>('POST', '/v1.0/oauth2/accessToken', {
      appKey: this.opts.clientId,
      appSecret: this.opts.clientSecret,
    });
    if (!res.accessToken) throw new DingTalkApiError('transient', 200, '', 'DingTalk token answer without accessToken');
    const lifetimeMs = (res.expireIn ?? 7200) * 1000;
    // Short-lived tokens (tests) keep half their life as the margin instead.
    const margin = Math.min(TOKEN_MARGIN_MS, lifetimeMs / 2);
    this.token = { value: res.accessToken, expiresAt: this.now() + lifetimeMs - margin };
    return res.accessToken;
  }

  private async request<T>(method: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
    let res: Response;
    try {
      const url = /^https?:/.test(path) ? path : `${this.opts.baseUrl.replace(/\/$/, '')}${path}`;
      // A FormData body is sent as multipart/form-data (fetch sets the content type with its boundary).
      const form = body instanceof FormData ? body : null;
      res = await fetch(url, {
        method,
        headers: { ...(form || method === 'GET' ? {} : { 'content-type': 'application/json' }), accept: 'application/json', ...headers },
        body: method === 'GET' ? undefined : form ?? JSON.stringify(body),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 15_000),
      });
    } catch (error) {
      throw new DingTalkApiError('transient', 0, '', `DingTalk ${path} unreachable: ${(error as Error).message}`);
    }
    const text = await res.text();
    const json = parseJson(text);
    if (!res.ok) throw classify(res.status, json as OpenApiErrorBody | null);
    return (json ?? {}) as T;
  }
}

/** Legacy (oapi) errcodes: -1 busy, 40014/42001 token, 90018/90002 QPS, 60011 no permission. */
function legacyErrorKind(errcode: number): DingTalkApiError['kind'] {
  if (errcode === -1) return 'transient';
  if (errcode === 40014 || errcode === 42001) return 'auth';
  if (errcode === 90018 || errcode === 90002) return 'qps';
  if (errcode === 60011) return 'permission';
  return 'invalid';
}

export function parseJson(text: string): unknown {
  try {
    return text === '' ? null : (JSON.parse(text) as unknown);
  } catch {
    return null;
  }
}
