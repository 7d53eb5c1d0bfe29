/**
 * Arrivals per check-in lane per minute, against the target (HUIWU_CHECKIN_TARGET_PER_MINUTE), and
 * the backlog forecast: the confirmed attendees still to arrive and how long they take at the
 * current pace. Kept apart from meeting-stats.ts, which only adds the result to its figures.
 */
import type { PrismaClient } from '../db/client.js';

/** The pace is the average over this many whole minutes up to now. */
export const RATE_WINDOW_MINUTES = 5;

export interface LaneRate {
  lane: string;
  /** Admissions per minute over the window. */
  perMinute: number;
  /** Admissions in the window. */
  recent: number;
  /** Admissions at this lane so far. */
  total: number;
  /** The lane's first admission: a lane younger than the window has no steady pace yet. */
  since: Date | null;
}

export interface DoorForecast {
  lanes: LaneRate[];
  /** Confirmed attendees not yet arrived. */
  waiting: number;
  /** All lanes together, per minute. */
  perMinute: number;
  /** Minutes to admit everyone still waiting at the current pace (null: nobody is being admitted). */
  minutesToClear: number | null;
}

export async function laneRates(db: PrismaClient, meetingId: number, now: Date): Promise<DoorForecast> {
  const from = new Date(now.getTime() - RATE_WINDOW_MINUTES * 60_000);
  const [defined, grouped, recent, waiting] = await Promise.all([
    db.checkinLane.findMany({ where: { meetingId }, select: { name: true }, orderBy: { id: 'asc' } }),
    db.attendee.groupBy({ by: ['checkedInLane'], where: { meetingId, checkedInAt: { not: null } }, _count: { _all: true }, _min: { checkedInAt: true } }),
    db.attendee.groupBy({ by: ['checkedInLane'], where: { meetingId, checkedInAt: { gt: from, lte: now } }, _count: { _all: true } }),
    db.attendee.count({ where: { meetingId, response: 'yes', checkedInAt: null } }),
  ]);
  const recentOf = new Map(recent.map((g) => [g.checkedInLane, g._count._all]));
  const names = [...new Set([...defined.map((l) => l.name), ...grouped.flatMap((g) => (g.checkedInLane ? [g.checkedInLane] : []))])];
  const lanes = names.map((lane) => {
    const g = grouped.find((x) => x.checkedInLane === lane);
    const inWindow = recentOf.get(lane) ?? 0;
    return { lane, perMinute: round1(inWindow / RATE_WINDOW_MINUTES), recent: inWindow, total: g?._count._all ?? 0, since: g?._min.checkedInAt ?? null };
  });
  const perMinute = round1(lanes.reduce((sum, l) => sum + l.recent, 0) / RATE_WINDOW_MINUTES);
  return { lanes, waiting, perMinute, minutesToClear: perMinute > 0 ? Math.ceil(waiting / perMinute) : null };
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/**
 * Lanes to warn about: open at least a full window, below target, while the people still waiting
 * would still be queueing at the start (or, after the start, for more than one window).
 */
export function slowLanes(forecast: DoorForecast, target: number, now: Date, startAt: Date): LaneRate[] {
  if (forecast.waiting === 0) return [];
  const minutesToStart = Math.max(0, (startAt.getTime() - now.getTime()) / 60_000);
  const clear = forecast.minutesToClear ?? Number.POSITIVE_INFINITY;
  if (clear <= Math.max(minutesToStart, RATE_WINDOW_MINUTES)) return [];
  const windowStart = now.getTime() - RATE_WINDOW_MINUTES * 60_000;
  return forecast.lanes.filter((l) => l.since !== null && l.since.getTime() <= windowStart && l.perMinute < target);
}
