/**
 * The reply URLs DingTalk hands us with every robot message (`sessionWebhook`, about 90 minutes).
 * Replying through them costs no OpenAPI quota. Kept in memory on purpose: after a restart, or on
 * another instance, replies fall back to the robot APIs, which is correct, only a little dearer.
 * `postSessionWebhook` sends through one (replies and the quota-free failure notices).
 */
import type { Logger } from 'pino';
import { parseJson } from './open-api.js';

export interface SessionWebhook {
  url: string;
  expiresAt: number;
}

/** Refuse a webhook this close to its expiry: the POST must arrive before DingTalk drops it. */
const SAFETY_MS = 30_000;
const MAX_ENTRIES = 10_000;

export class SessionWebhooks {
  private readonly byConversation = new Map<string, SessionWebhook>();

  constructor(
    private readonly allowedHosts: readonly string[],
    private readonly now: () => number = Date.now,
  ) {}

  /** Remembers the webhook of a conversation if its host is allowed; returns whether it was kept. */
  remember(conversationId: string, url: string | undefined, expiresAt: number | undefined): boolean {
    if (!url || !expiresAt || !this.allowed(url)) return false;
    this.byConversation.delete(conversationId);
    this.byConversation.set(conversationId, { url, expiresAt });
    if (this.byConversation.size > MAX_ENTRIES) this.byConversation.delete(this.byConversation.keys().next().value!);
    return true;
  }

  /** The conversation's webhook while it is still valid. */
  valid(conversationId: string): SessionWebhook | null {
    const hook = this.byConversation.get(conversationId);
    if (!hook) return null;
    if (this.now() + SAFETY_MS >= hook.expiresAt) {
      this.byConversation.delete(conversationId);
      return null;
    }
    return hook;
  }

  forget(conversationId: string): void {
    this.byConversation.delete(conversationId);
  }

  /** https only, except for loopback hosts (local fakes); the host must be on the allow-list. */
  allowed(url: string): boolean {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return false;
    }
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname);
    if (parsed.protocol !== 'https:' && !(loopback && parsed.protocol === 'http:')) return false;
    return this.allowedHosts.includes(parsed.hostname);
  }
}

/** POSTs to a session webhook; false (logged) when DingTalk refuses it or it cannot be reached, so the caller uses the robot API. */
export async function postSessionWebhook(url: string, log: Logger, body: unknown): Promise<boolean> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const json = parseJson(await res.text()) as { errcode?: number; errmsg?: string } | null;
    if (res.ok && (json?.errcode === undefined || json.errcode === 0)) return true;
    log.info({ status: res.status, errcode: json?.errcode, errmsg: json?.errmsg }, 'DingTalk session webhook refused; using the robot API');
  } catch (error) {
    log.info({ err: error }, 'DingTalk session webhook unreachable; using the robot API');
  }
  return false;
}
