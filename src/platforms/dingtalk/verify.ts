/**
 * Signature of a robot HTTP callback: headers `timestamp` (epoch ms) and
 * `sign` = base64(HmacSHA256(key = AppSecret, message = timestamp + "\n" + AppSecret)).
 * DingTalk refuses timestamps more than an hour off; we take the window as configuration.
 * https://open.dingtalk.com/document/orgapp/receive-message
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type VerifyResult = { ok: true } | { ok: false; code: 'missing' | 'malformed' | 'stale' | 'bad-signature' | 'replayed' };

export function dingTalkSign(timestamp: string, secret: string): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`, 'utf8').digest('base64');
}

export interface VerifyInput {
  timestamp: string | undefined;
  sign: string | undefined;
  secret: string;
  now: number;
  maxAgeMs: number;
}

/** Pure check of one request (replays are refused by `ReplayGuard` on top). */
export function verifyDingTalkSignature({ timestamp, sign, secret, now, maxAgeMs }: VerifyInput): VerifyResult {
  if (!timestamp || !sign) return { ok: false, code: 'missing' };
  if (!/^\d{10,16}$/.test(timestamp)) return { ok: false, code: 'malformed' };
  if (Math.abs(now - Number(timestamp)) > maxAgeMs) return { ok: false, code: 'stale' };
  const expected = Buffer.from(dingTalkSign(timestamp, secret));
  const given = Buffer.from(sign);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, code: 'bad-signature' };
  return { ok: true };
}

/**
 * Remembers requests seen inside the window (key: timestamp, sign and msgId), so the same signed
 * request cannot be played twice. DingTalk's sign does not cover the body, so the msgId is part of
 * the key; the msgId is also de-duplicated durably downstream.
 */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();

  constructor(private readonly windowMs: number) {}

  /** True the first time `key` is seen within the window. */
  firstSeen(key: string, now: number): boolean {
    for (const [key, at] of this.seen) {
      if (at >= now - this.windowMs) break;
      this.seen.delete(key);
    }
    if (this.seen.has(key)) return false;
    this.seen.set(key, now);
    return true;
  }
}
