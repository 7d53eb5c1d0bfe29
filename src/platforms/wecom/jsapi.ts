/**
 * WeCom JS-SDK signatures, so a Huiwu page opened inside WeCom may call `ww.scanQRCode`: the
 * corp's jsapi_ticket (`get_jsapi_ticket`, for `ww.config`) and the app's (`ticket/get?type=agent_config`,
 * for `ww.agentConfig`), each cached until shortly before WeCom's expiry (both are rate-limited),
 * and the SHA-1 signature over ticket, nonce, timestamp and the page URL without its fragment.
 * Docs: https://developer.work.weixin.qq.com/document/path/90506 (signature), /path/94325 (ww.register).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { JsapiSignature } from '../types.js';
import type { WecomClient } from './client.js';
import type { WecomApiResponse } from './raw-types.js';

interface TicketResponse extends WecomApiResponse {
  ticket?: string;
  expires_in?: number;
}

/** Refresh this long before the stated expiry. */
const MARGIN_MS = 5 * 60_000;

export function jsapiSign(ticket: string, nonceStr: string, timestamp: number, url: string): string {
  const page = url.split('#')[0]!;
  return createHash('sha1').update(`jsapi_ticket=${ticket}&noncestr=${nonceStr}&timestamp=${timestamp}&url=${page}`).digest('hex');
}

export class WecomJsapi {
  private readonly tickets = new Map<'corp' | 'agent', { value: string; refreshAt: number }>();
  private readonly fetching = new Map<'corp' | 'agent', Promise<string>>();

  constructor(
    private readonly client: WecomClient,
    private readonly now: () => number,
  ) {}

  async signature(kind: 'corp' | 'agent', url: string): Promise<JsapiSignature> {
    const ticket = await this.ticket(kind);
    const timestamp = Math.floor(this.now() / 1000);
    const nonceStr = randomBytes(8).toString('hex');
    return { timestamp, nonceStr, signature: jsapiSign(ticket, nonceStr, timestamp, url) };
  }

  private async ticket(kind: 'corp' | 'agent'): Promise<string> {
    const cached = this.tickets.get(kind);
    if (cached && this.now() < cached.refreshAt) return cached.value;
    let pending = this.fetching.get(kind);
    if (!pending) {
      pending = this.fetchTicket(kind).finally(() => this.fetching.delete(kind));
      this.fetching.set(kind, pending);
    }
    return pending;
  }

  private async fetchTicket(kind: 'corp' | 'agent'): Promise<string> {
    const res = kind === 'corp' ? await this.client.call<TicketResponse>('get_jsapi_ticket') : await this.client.call<TicketResponse>('ticket/get', undefined, { type: 'agent_config' });
    if (!res.ticket) throw new Error(`WeCom ${kind} jsapi ticket missing in the answer`);
    this.tickets.set(kind, { value: res.ticket, refreshAt: this.now() + (res.expires_in ?? 7200) * 1000 - MARGIN_MS });
    return res.ticket;
  }
}
