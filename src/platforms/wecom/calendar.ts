/**
 * Busy times from WeCom schedules (日程). WeCom's server API has no per-member free/busy query
 * (that exists only in the client JS-SDK, `checkSchedule`); what it offers is the schedules of the
 * calendars the app manages (`oa/schedule/get_by_calendar`). Companies that keep their leaders'
 * or meeting rooms' calendars there name them in WECOM_SCHEDULE_CALENDARS; a schedule in which the
 * person is an attendee or admin counts as busy.
 * https://developer.work.weixin.qq.com/document/path/93648
 */
import type { BusySlot } from '../types.js';
import type { WecomClient } from './client.js';

interface WecomSchedule {
  schedule_id: string;
  summary?: string;
  start_time: number;
  end_time: number;
  status?: number;
  admins?: string[];
  attendees?: Array<{ userid: string; response_status?: number }>;
}

/** get_by_calendar pages by offset; 1000 is its documented maximum page. */
const PAGE = 1000;
/** Re-reading every calendar on every check would burn the API quota: cache briefly. */
const CACHE_MS = 60_000;

export class WecomCalendar {
  private cache: { at: number; schedules: WecomSchedule[] } | null = null;

  constructor(
    private readonly client: WecomClient,
    private readonly calendarIds: readonly string[],
    private readonly now: () => number = Date.now,
  ) {}

  async busy(userid: string, from: Date, to: Date): Promise<BusySlot[]> {
    const schedules = await this.schedules();
    return schedules
      .filter((s) => s.status !== 1 && (s.attendees?.some((a) => a.userid === userid && a.response_status !== 2) || s.admins?.includes(userid)))
      .map((s) => ({ start: new Date(s.start_time * 1000), end: new Date(s.end_time * 1000), ...(s.summary ? { title: s.summary } : {}) }))
      .filter((s) => s.start < to && s.end > from);
  }

  private async schedules(): Promise<WecomSchedule[]> {
    if (this.cache && this.now() - this.cache.at < CACHE_MS) return this.cache.schedules;
    const all: WecomSchedule[] = [];
    for (const calId of this.calendarIds) {
      for (let offset = 0; ; offset += PAGE) {
        const res = await this.client.call<{ errcode: number; errmsg: string; schedule_list?: WecomSchedule[] }>('oa/schedule/get_by_calendar', { cal_id: calId, offset, limit: PAGE });
        const page = res.schedule_list ?? [];
        all.push(...page);
        if (page.length < PAGE) break;
      }
    }
    this.cache = { at: this.now(), schedules: all };
    return all;
  }
}
