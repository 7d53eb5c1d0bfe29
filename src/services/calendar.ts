/**
 * The platform calendar as services see it: busy times of a person from the free/busy query of
 * their platform (the adapter's optional `freeBusy` capability). A platform without it, or one
 * whose query fails, contributes nothing: the schedule still has Huiwu meetings and entries.
 */
import type { Logger } from 'pino';
import type { BusySlot, PlatformAdapter } from '../platforms/types.js';

export interface CalendarPort {
  /** Busy slots of `userId` (an internal id) overlapping [from, to). */
  freeBusy(userId: string, from: Date, to: Date): Promise<BusySlot[]>;
}

/** Routes a user's query to the adapter of their platform (the prefix of the internal id). */
export class PlatformCalendar implements CalendarPort {
  constructor(
    private readonly adapters: ReadonlyArray<Pick<PlatformAdapter, 'name' | 'freeBusy'>>,
    private readonly log: Logger,
  ) {}

  async freeBusy(userId: string, from: Date, to: Date): Promise<BusySlot[]> {
    const platform = userId.slice(0, userId.indexOf(':'));
    const adapter = this.adapters.find((a) => a.name === platform);
    if (!adapter?.freeBusy) return [];
    try {
      const slots = await adapter.freeBusy(userId, from, to);
      return slots.filter((s) => s.end > from && s.start < to && s.end > s.start);
    } catch (err) {
      this.log.warn({ err, userId, platform }, 'free/busy query failed; calendar busy times left out of this check');
      return [];
    }
  }
}

/** No platform calendar (benchmarks, tests of the rest). */
export const NO_CALENDAR: CalendarPort = { freeBusy: async () => [] };
