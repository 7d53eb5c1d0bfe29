import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { dingTalkSign, verifyDingTalkSignature } from '../../src/platforms/dingtalk/verify.js';
import { MemoryOnceLedger } from '../../src/redis/once.js';

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

  it('accepts a claim once within its time to live, again after it or once given back', async () => {
    let now = 0;
    const ledger = new MemoryOnceLedger(() => now);
    expect(await ledger.claim('a', 1000)).toBe(true);
    now = 500;
    expect(await ledger.claim('a', 1000)).toBe(false);
    expect(await ledger.claim('b', 1000)).toBe(true);
    await ledger.release('b');
    expect(await ledger.claim('b', 1000)).toBe(true);
    now = 2000;
    expect(await ledger.claim('a', 1000)).toBe(true);
  });

  it('allows five minutes of clock difference by default, not an hour', () => {
    expect(loadConfig({}).DINGTALK_HTTP_CALLBACK_MAX_AGE_SECONDS).toBe(300);
  });
});
