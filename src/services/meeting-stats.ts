/** Live counts of a meeting: answers, meals, rooms per night, check-ins and check-in speed; the cost deviation when it has a budget. */
import { stateOf, type MeetingStats } from '../../cards/meeting-cards.js';
import type { PrismaClient } from '../db/client.js';
import { costDeviationOf, lineFigures } from './budget-math.js';
import { laneRates } from './lane-rates.js';

declare module './services.js' {
  interface Services {
    meetingStats: MeetingStatsService;
  }
}

export class MeetingStatsService {
  constructor(private readonly db: PrismaClient) {}

  async compute(meetingId: number, now: Date): Promise<MeetingStats> {
    const rows = await this.db.attendee.findMany({
      where: { meetingId },
      select: { userId: true, response: true, dietary: true, accommodation: true, nights: true, checkedInAt: true },
    });
    const stats: MeetingStats = { invited: rows.length, yes: 0, no: 0, maybe: 0, pending: 0, noAccount: 0, meals: {}, roomsByNight: [], arrived: 0, currentRate: 0, peakRate: 0 };
    const perMinute = new Map<number, number>();
    for (const r of rows) {
      const state = stateOf(r);
      if (state === 'yes' || state === 'no' || state === 'maybe' || state === 'pending' || state === 'noAccount') stats[state]++;
      if (r.response === 'yes') {
        const meal = r.dietary ?? 'none';
        stats.meals[meal] = (stats.meals[meal] ?? 0) + 1;
        if (r.accommodation) {
          for (let night = 0; night < (r.nights ?? 1); night++) stats.roomsByNight[night] = (stats.roomsByNight[night] ?? 0) + 1;
        }
      }
      if (r.checkedInAt) {
        stats.arrived++;
        const minute = Math.floor(r.checkedInAt.getTime() / 60_000);
        perMinute.set(minute, (perMinute.get(minute) ?? 0) + 1);
      }
    }
    stats.peakRate = Math.max(0, ...perMinute.values());
    const nowMinute = Math.floor(now.getTime() / 60_000);
    let recent = 0;
    for (let m = nowMinute - 4; m <= nowMinute; m++) recent += perMinute.get(m) ?? 0;
    stats.currentRate = Math.round((recent / 5) * 10) / 10;
    // The cost-deviation KPI, when the meeting has a budget (linked lines follow these very counts).
    const lines = await this.db.budgetLine.findMany({ where: { meetingId } });
    if (lines.length > 0) {
      const [expenses, budget] = await Promise.all([this.db.expense.findMany({ where: { meetingId, status: 'active' } }), this.db.budget.findUnique({ where: { meetingId } })]);
      stats.cost = costDeviationOf(lines.map((l) => lineFigures(l, expenses, stats)), Boolean(budget?.settledAt));
    }
    // Per check-in lane (the door's scanners), only once a meeting has lanes or lane admissions.
    const door = await laneRates(this.db, meetingId, now);
    if (door.lanes.length > 0) stats.lanes = door.lanes.map((l) => ({ lane: l.lane, perMinute: l.perMinute, total: l.total }));
    return stats;
  }
}
