/**
 * The outbound worker's BullMQ limiter for a platform's send rate. BullMQ counts jobs in fixed
 * windows, so `max: rate, duration: 1000` lets a backlog go out as a burst at the start of every
 * second: one second's tail and the next one's head can reach the platform within the same second
 * (measured: 263 sends in one second at a limit of 200, see `npm run bench:fanout`). Tenth-of-a-
 * second windows spread the sends, so any one second carries at most the rate plus one window.
 */
export function sendRateLimiter(perSecond: number): { max: number; duration: number } {
  if (perSecond < 10) return { max: 1, duration: Math.ceil(1000 / perSecond) };
  const max = Math.ceil(perSecond / 10);
  // Rounded up: the effective rate is never above the configured one (at most ~1% below).
  return { max, duration: Math.ceil((1000 * max) / perSecond) };
}
