/**
 * Free/busy from DingTalk calendars, for executives' schedule-conflict checks.
 * The calendar API addresses people by unionId, so the staffId is first looked up with the
 * contacts API (`topapi/v2/user/get`) and cached.
 * https://open.dingtalk.com/document/orgapp/query-the-free-busy-status-of-users (querySchedule)
 */
import type { BusySlot } from '../types.js';
import type { OpenApiClient } from './open-api.js';

interface ScheduleTime {
  date?: string;
  dateTime?: string;
  timeZone?: string;
}

interface QueryScheduleAnswer {
  scheduleInformation?: Array<{ userId?: string; error?: string; scheduleItems?: Array<{ status?: string; start?: ScheduleTime; end?: ScheduleTime }> }>;
}

export class DingTalkCalendar {
  private readonly unionIds = new Map<string, string>();

  constructor(private readonly api: OpenApiClient) {}

  async busy(staffId: string, from: Date, to: Date): Promise<BusySlot[]> {
    const unionId = await this.unionIdOf(staffId);
    const answer = await this.api.call<QueryScheduleAnswer>('POST', `/v1.0/calendar/users/${encodeURIComponent(unionId)}/querySchedule`, {
      userIds: [unionId],
      startTime: from.toISOString(),
      endTime: to.toISOString(),
    });
    const info = answer.scheduleInformation?.find((i) => i.userId === unionId) ?? answer.scheduleInformation?.[0];
    if (info?.error) throw new Error(`DingTalk querySchedule for ${staffId}: ${info.error}`);
    return (info?.scheduleItems ?? [])
      .filter((item) => item.status !== 'FREE')
      .flatMap((item) => {
        const start = toDate(item.start);
        const end = toDate(item.end);
        return start && end && end > start ? [{ start, end }] : [];
      });
  }

  private async unionIdOf(staffId: string): Promise<string> {
    const cached = this.unionIds.get(staffId);
    if (cached) return cached;
    const answer = await this.api.legacyCall<{ result?: { unionid?: string } }>('/topapi/v2/user/get', { userid: staffId });
    const unionId = answer.result?.unionid;
    if (!unionId) throw new Error(`DingTalk has no unionId for ${staffId}`);
    this.unionIds.set(staffId, unionId);
    return unionId;
  }
}

/** `dateTime` for timed items; an all-day item has only `date` (the end date is exclusive), taken in China time. */
function toDate(t: ScheduleTime | undefined): Date | null {
  if (t?.dateTime) return new Date(t.dateTime);
  if (t?.date) return new Date(`${t.date}T00:00:00+08:00`);
  return null;
}
