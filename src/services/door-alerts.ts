/**
 * What the door tells the organizers: people admitted twice while a device was offline (once per
 * sync), and a lane that stays below the target while a backlog is forecast (once per lane, the
 * message id is the lane's: not once a minute).
 */
import type { Config } from '../config.js';
import type { PrismaClient } from '../db/client.js';
import { PRIORITY } from '../queue/queues.js';
import { laneRates, slowLanes } from './lane-rates.js';
import type { LocaleService } from './locales.js';
import type { MeetingRow, MeetingService } from './meetings.js';
import type { Outbox } from './outbox.js';

/** The slow-lane check runs at most this often per meeting, from the scan path. */
const SLOW_CHECK_MS = 15_000;

export class DoorAlerts {
  private readonly lastSlowCheck = new Map<number, number>();

  constructor(
    private readonly db: PrismaClient,
    private readonly meetings: MeetingService,
    private readonly outbox: Outbox,
    private readonly locales: LocaleService,
    private readonly config: Config,
  ) {}

  /** `doubles`: the synced scans that admitted someone already in, with the surname shown. */
  async reportDoubles(ctx: { meeting: MeetingRow; lane: { name: string }; user: { name: string } }, doubles: ReadonlyArray<{ scanId: string; person?: { name: string } }>): Promise<void> {
    const organizers = this.meetings.organizerIds(ctx.meeting);
    const readers = await this.locales.forUsers(organizers);
    const names = doubles.map((d) => d.person?.name ?? '?');
    await this.outbox.enqueueMany(
      organizers.map((userId) => {
        const t = readers.get(userId)!;
        return {
          id: `door-double-m${ctx.meeting.id}-${doubles[0]!.scanId}-${userId}`,
          target: { kind: 'user' as const, userId },
          content: { type: 'text' as const, text: t.t('door.alert.doubles', { id: ctx.meeting.id, title: ctx.meeting.title, lane: ctx.lane.name, count: doubles.length, names: t.list(names), device: ctx.user.name }) },
          priority: PRIORITY.urgent,
        };
      }),
    );
  }

  /** After an admission: the live-count card (coalesced) and, now and then, the slow-lane check. */
  async afterAdmission(meeting: MeetingRow, now: Date): Promise<void> {
    await this.meetings.refreshStatusSoon(meeting.id);
    const last = this.lastSlowCheck.get(meeting.id) ?? 0;
    if (now.getTime() - last < SLOW_CHECK_MS) return;
    this.lastSlowCheck.set(meeting.id, now.getTime());
    await this.checkSlowLanes(meeting, now);
  }

  /**
   * One alert per lane (the message id is the lane's), to the organizers: the lane stays below
   * the target while the people still to arrive would be queueing past the start.
   */
  async checkSlowLanes(meeting: MeetingRow, now: Date): Promise<string[]> {
    const target = this.config.HUIWU_CHECKIN_TARGET_PER_MINUTE;
    const forecast = await laneRates(this.db, meeting.id, now);
    const slow = slowLanes(forecast, target, now, meeting.startAt);
    if (slow.length === 0) return [];
    const lanes = await this.db.checkinLane.findMany({ where: { meetingId: meeting.id }, select: { id: true, name: true } });
    const organizers = this.meetings.organizerIds(meeting);
    const readers = await this.locales.forUsers(organizers);
    for (const l of slow) {
      const laneId = lanes.find((x) => x.name === l.lane)?.id ?? 0;
      await this.outbox.enqueueMany(
        organizers.map((userId) => ({
          id: `door-slow-m${meeting.id}-l${laneId}-${userId}`,
          target: { kind: 'user' as const, userId },
          content: {
            type: 'text' as const,
            text: readers.get(userId)!.t('door.alert.slow', {
              id: meeting.id,
              lane: l.lane,
              rate: l.perMinute,
              target,
              waiting: forecast.waiting,
              minutes: forecast.minutesToClear ?? '∞',
            }),
          },
          priority: PRIORITY.urgent,
        })),
      );
    }
    return slow.map((l) => l.lane);
  }
}
