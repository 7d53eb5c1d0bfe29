/**
 * DingTalk JSAPI signatures, so a Huiwu page opened inside DingTalk may call `dd.config` and then
 * `biz.util.scan`: the app's jsapi_ticket (legacy `GET oapi/get_jsapi_ticket?access_token=…`,
 * 7200 s, rate-limited, so cached until shortly before it expires) and the SHA-1 over
 * `jsapi_ticket=…&noncestr=…&timestamp=…&url=…` (keys in ASCII order; the URL without its
 * fragment, its query URL-decoded once). A page whose `dd.config` failed may ask for a fresh
 * ticket, at most once a minute, in case DingTalk replaced the one we hold.
 * https://open.dingtalk.com/document/orgapp/jsapi-authentication (via its copies; see docs/checkin.md)
 */
import { createHash, randomBytes } from 'node:crypto';
import type { JsapiSignature } from '../types.js';
import type { OpenApiClient } from './open-api.js';

/** Refresh this long before the stated expiry (short test lifetimes keep half of it instead). */
const MARGIN_MS = 5 * 60_000;
/** A forced refresh (a page's `dd.config` failed) is honoured at most this often. */
const FORCED_REFRESH_EVERY_MS = 60_000;

/** The page URL as DingTalk's client checks it: no fragment, the query decoded once. */
export function dingTalkSignedUrl(url: string): string {
  const page = url.split('#')[0]!;
  const q = page.indexOf('?');
  if (q < 0) return page;
  try {
    return page.slice(0, q + 1) + decodeURIComponent(page.slice(q + 1));
  } catch {
    return page;
  }
}

export function dingTalkJsapiSign(ticket: string, nonceStr: string, timestamp: number | string, url: string): string {
  return createHash('sha1').update(`jsapi_ticket=${ticket}&noncestr=${nonceStr}&timestamp=${timestamp}&url=${dingTalkSignedUrl(url)}`).digest('hex');
}

export class DingTalkJsapi {
  private ticket: { value: string; refreshAt: number } | null = null;
  private fetching: Promise<string> | null = null;
  private lastForcedAt = -Infinity;

  constructor(
    private readonly api: Pick<OpenApiClient, 'legacyGet'>,
    private readonly now: () => number,
  ) {}

  async signature(url: string, fresh = false): Promise<JsapiSignature> {
    const ticket = await this.currentTicket(fresh);
    const timestamp = Math.floor(this.now() / 1000);
    const nonceStr = randomBytes(8).toString('hex');
    return { timestamp, nonceStr, signature: dingTalkJsapiSign(ticket, nonceStr, timestamp, url) };
  }

  private async currentTicket(fresh: boolean): Promise<string> {
    if (fresh && this.now() - this.lastForcedAt >= FORCED_REFRESH_EVERY_MS) {
      this.lastForcedAt = this.now();
      this.ticket = null;
    }
    if (this.ticket && this.now() < this.ticket.refreshAt) return this.ticket.value;
    this.fetching ??= this.fetchTicket().finally(() => {
      this.fetching = null;
    });
    return this.fetching;
  }

  private async fetchTicket(): Promise<string> {
    // An expired or invalid access token is refreshed and the call retried once by the client.
    const res = await this.api.legacyGet<{ ticket?: string; expires_in?: number }>('/get_jsapi_ticket', { type: 'jsapi' });
    if (!res.ticket) throw new Error('DingTalk jsapi ticket missing in the answer');
    const lifetimeMs = (res.expires_in ?? 7200) * 1000;
    this.ticket = { value: res.ticket, refreshAt: this.now() + lifetimeMs - Math.min(MARGIN_MS, lifetimeMs / 2) };
    return res.ticket;
  }
}
