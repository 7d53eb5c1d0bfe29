import { describe, expect, it } from 'vitest';
import { dingTalkSign, ReplayGuard, verifyDingTalkSignature } from '../../src/platforms/dingtalk/verify.js';

// Computed independently (Python hmac) for timestamp 1700000000000 and secret "this is secret".
const VECTOR = { timestamp: '1700000000000', secret: 'this is secret', sign: 'sSFWELbV2YwjdDQhWZwTcWlX5BWUx5J6TPpsZmuPii0=' };
const HOUR = 3_600_000;

describe('DingTalk robot callback signature', () => {
  it('matches the reference HMAC-SHA256 value', () => {
    expect(dingTalkSign(VECTOR.timestamp, VECTOR.secret)).toBe(VECTOR.sign);
  });

  it('accepts a fresh, correctly signed request', () => {
    expect(verifyDingTalkSignature({ ...VECTOR, now: 1700000000000 + 60_000, maxAgeMs: HOUR })).toEqual({ ok: true });
  });

  it.each([
    ['missing', { sign: undefined }],
    ['malformed', { timestamp: 'yesterday' }],
    ['stale', { now: 1700000000000 + HOUR + 1 }],
    ['stale', { now: 1700000000000 - HOUR - 1 }],
    ['bad-signature', { sign: VECTOR.sign.replace('s', 't') }],
    ['bad-signature', { sign: 'short' }],
    ['bad-signature', { secret: 'another secret' }],
  ] as const)('refuses a request as %s', (code, change) => {
    expect(verifyDingTalkSignature({ ...VECTOR, now: 1700000000000, maxAgeMs: HOUR, ...change })).toEqual({ ok: false, code });
  });

  it('refuses the same request twice within the window, not after it', () => {
    const guard = new ReplayGuard(1000);
    expect(guard.firstSeen('a', 0)).toBe(true);
    expect(guard.firstSeen('a', 500)).toBe(false);
    expect(guard.firstSeen('b', 600)).toBe(true);
    expect(guard.firstSeen('a', 2000)).toBe(true);
  });
});
