import { describe, expect, it } from 'vitest';
import { sendRateLimiter } from '../../src/queue/send-rate.js';

describe('sendRateLimiter', () => {
  it.each([1, 3, 9, 10, 20, 25, 33, 50, 200, 997, 100000])('keeps %i/s without going over, in windows of at most ~100 ms', (rate) => {
    const { max, duration } = sendRateLimiter(rate);
    const effective = (max * 1000) / duration;
    expect(effective).toBeLessThanOrEqual(rate);
    expect(effective).toBeGreaterThanOrEqual(rate * 0.98);
    if (rate >= 10) expect(duration).toBeLessThanOrEqual(125);
    // A sliding second holds at most the rate plus one window.
    expect(max).toBeLessThanOrEqual(Math.max(1, Math.ceil(rate / 10)));
  });
});
