/**
 * Signature of a robot HTTP callback: headers `timestamp` (epoch ms) and
 * `sign` = base64(HmacSHA256(key = AppSecret, message = timestamp + "\n" + AppSecret)).
 * DingTalk refuses timestamps more than an hour off; our window is configuration (default 300 s).
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

/** Pure check of one request (a used timestamp/sign pair is refused by the route, through Redis). */
export function verifyDingTalkSignature({ timestamp, sign, secret, now, maxAgeMs }: VerifyInput): VerifyResult {
  if (!timestamp || !sign) return { ok: false, code: 'missing' };
  if (!/^\d{10,16}$/.test(timestamp)) return { ok: false, code: 'malformed' };
  if (Math.abs(now - Number(timestamp)) > maxAgeMs) return { ok: false, code: 'stale' };
  const expected = Buffer.from(dingTalkSign(timestamp, secret));
  const given = Buffer.from(sign);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, code: 'bad-signature' };
  return { ok: true };
}
