/**
 * The executives' morning digest: a BullMQ job scheduler (`schedule-digest`, HUIWU_DIGEST_TIME in
 * the configured zone) that sends each executive's day, conflicts first, to them and their
 * assistants, keyed `digest-<executive>-<date>-<recipient>`. It also records clashes not seen yet
 * (a calendar slot added on the platform sends no event), through the conflict service.
 */
import { digestText } from '../../cards/schedule-cards.js';
import type { Config } from '../config.js';
import { jobIdPart, PRIORITY } from '../queue/queues.js';
import { formatDateTime } from '../time/parse-time.js';
import { addDays, toInstant, wallClockOf } from '../time/zoned.js';
import type { LocaleService } from './locales.js';
import type { Outbox } from './outbox.js';
import type { Scheduler } from './scheduler.js';
import { allClashes, type Clash, type ScheduleItem } from './schedule-logic.js';
import type { ScheduleService } from './schedule.js';

/** What the digest needs from the conflict service: storing (and alerting) a clash, and time text. */
export interface DigestHost {
  record(executiveId: string, clashes: readonly Clash[]): Promise<unknown>;
  timeText(item: Pick<ScheduleItem, 'start' | 'end'>): string;
}

export class ScheduleDigest {
  constructor(
    private readonly scheduler: Pick<Scheduler, 'recurring'>,
    private readonly outbox: Outbox,
    private readonly locales: LocaleService,
    private readonly schedule: ScheduleService,
    private readonly config: Config,
    private readonly host: DigestHost,
  ) {}

  /** The daily job scheduler at HUIWU_DIGEST_TIME in the configured zone (idempotent). */
  async start(): Promise<void> {
    const [h, m] = this.config.HUIWU_DIGEST_TIME.split(':').map(Number);
    await this.scheduler.recurring('schedule.digest', 'schedule-digest', `${m} ${h} * * *`, this.config.HUIWU_TIMEZONE, { kind: 'daily' });
  }

  /** Each executive's day (the day of `now` in the zone), conflicts first, to them and their assistants. */
  async send(now: Date): Promise<number> {
    const zone = this.config.HUIWU_TIMEZONE;
    const today = wallClockOf(now, zone);
    const from = toInstant(today, 0, 0, zone);
    const to = toInstant(addDays(today, 1), 0, 0, zone);
    const dateLabel = formatDateTime(from, zone).slice(0, 10);
    let sent = 0;
    for (const executiveId of await this.schedule.executiveIds()) {
      const items = await this.schedule.itemsInWindow(executiveId, from, to);
      if (items.length === 0) continue;
      const clashes = allClashes(items, this.schedule.bufferMs);
      // New clashes (say, a calendar slot added on the platform) are alerted like any other.
      await this.host.record(executiveId, clashes);
      const input = {
        executiveName: await this.schedule.name(executiveId),
        dateLabel,
        items,
        clashes,
        time: (i: ScheduleItem) => this.host.timeText(i),
        bufferMinutes: Math.round(this.schedule.bufferMs / 60_000),
      };
      const recipients = [executiveId, ...(await this.schedule.assistantsOf(executiveId))];
      const translators = await this.locales.forUsers(recipients);
      await this.outbox.enqueueMany(
        recipients.map((r) => ({
          id: `digest-${jobIdPart(executiveId)}-${dateLabel}-${jobIdPart(r)}`,
          target: { kind: 'user' as const, userId: r },
          content: { type: 'text' as const, text: digestText(translators.get(r)!, input) },
          priority: PRIORITY.normal,
        })),
      );
      sent++;
    }
    return sent;
  }
}
