/**
 * Messages per minute per person, on every chat entrance (simulator API, WeCom callback and bot,
 * DingTalk stream): the per-IP limits cannot see people, and a platform's few IPs carry everyone.
 * Fixed one-minute windows in memory (per process); the map is bounded so a flood of invented ids
 * cannot grow it.
 */
const WINDOW_MS = 60_000;
const MAX_PEOPLE = 50_000;

export type BudgetVerdict = 'ok' | 'first-refusal' | 'refused';

export class SenderBudget {
  private readonly windows = new Map<string, { startedAt: number; count: number }>();

  constructor(
    readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one message of `userId`; `first-refusal` once per window, so the caller logs once. */
  take(userId: string): BudgetVerdict {
    const now = this.now();
    let window = this.windows.get(userId);
    if (!window || now - window.startedAt >= WINDOW_MS) {
      this.windows.delete(userId);
      if (this.windows.size >= MAX_PEOPLE) this.windows.delete(this.windows.keys().next().value!);
      window = { startedAt: now, count: 0 };
      this.windows.set(userId, window);
    }
    window.count++;
    if (window.count <= this.perMinute) return 'ok';
    return window.count === this.perMinute + 1 ? 'first-refusal' : 'refused';
  }
}
