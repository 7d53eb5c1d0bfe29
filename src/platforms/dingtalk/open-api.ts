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
    await this.waitIfPaused();
    const token = await this.accessToken();
    const url = `${this.opts.legacyBaseUrl.replace(/\/$/, '')}${path}?access_token=${encodeURIComponent(token)}`;
    const answer = await this.request<T & { errcode?: number; errmsg?: string }>('POST', url, body);
    if (answer.errcode) throw new DingTalkApiError(answer.errcode === 90018 || answer.errcode === 90002 ? 'qps' : 'invalid', 200, String(answer.errcode), `DingTalk ${path}: ${answer.errcode} ${answer.errmsg ?? ''}`);
    return answer;
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
      res = await fetch(url, {
        method,
        headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
        body: JSON.stringify(body),
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

export function parseJson(text: string): unknown {
  try {
    return text === '' ? null : (JSON.parse(text) as unknown);
  } catch {
    return null;
  }
}
