/**
 * Log sampling for refused requests: a flood of bad tokens or rate-limited calls must not fill the
 * disk. The first refusal of a kind from an IP in a minute is logged in full; the rest are counted
 * and reported as one line when the minute is over.
 */
import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { redactUrl } from './redact.js';

interface Window {
  startedAt: number;
  suppressed: number;
  message: string;
}

const WINDOW_MS = 60_000;
/** Beyond this many IPs in a window the oldest are reported early, so memory stays bounded. */
const MAX_KEYS = 10_000;

export class RefusalLog {
  private readonly windows = new Map<string, Window>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.timer = setInterval(() => this.flush(false), WINDOW_MS);
    this.timer.unref();
  }

  /** Records a refusal; logs it unless one of the same kind from the same IP was logged this minute. */
  note(kind: string, request: FastifyRequest, message: string, details: Record<string, unknown> = {}): void {
    const key = `${kind}|${request.ip}`;
    const now = this.now();
    const open = this.windows.get(key);
    if (open && now - open.startedAt < WINDOW_MS) {
      open.suppressed++;
      return;
    }
    if (open) this.report(key, open);
    this.windows.delete(key);
    if (this.windows.size >= MAX_KEYS) {
      const [oldestKey, oldest] = this.windows.entries().next().value!;
      this.report(oldestKey, oldest);
      this.windows.delete(oldestKey);
    }
    this.windows.set(key, { startedAt: now, suppressed: 0, message });
    this.log.warn({ ...details, kind, ip: request.ip, method: request.method, url: redactUrl(request.url) }, message);
  }

  /** Reports the counts of windows that are over (all of them with `all`), e.g. at shutdown. */
  flush(all: boolean): void {
    const now = this.now();
    for (const [key, window] of this.windows) {
      if (!all && now - window.startedAt < WINDOW_MS) continue;
      this.report(key, window);
      this.windows.delete(key);
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.flush(true);
  }

  private report(key: string, window: Window): void {
    if (window.suppressed === 0) return;
    const [kind, ip] = key.split('|');
    this.log.warn({ kind, ip, suppressed: window.suppressed, sinceMs: this.now() - window.startedAt }, `${window.message} (${window.suppressed} more from this IP not logged)`);
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    refusals?: RefusalLog;
  }
}

/** Logs a refused request through the server's sampling log (plain warn when there is none). */
export function noteRefusal(request: FastifyRequest, kind: string, message: string, details: Record<string, unknown> = {}): void {
  const refusals = request.server.refusals;
  if (refusals) refusals.note(kind, request, message, details);
  else request.log.warn({ ...details, kind, ip: request.ip, url: redactUrl(request.url) }, message);
}
