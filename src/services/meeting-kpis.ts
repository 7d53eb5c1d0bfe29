/**
 * Every KPI of one meeting as data: its value, its target, a green/amber/red status and how it was
 * computed (catalogue keys with their figures, worded by whoever shows it). The console shows them
 * live; the close-out review and the archive read the same figures, so nothing here knows the web.
 * Every query is on an index: Attendee(meetingId, response), Attendee(meetingId, checkedInAt),
 * Task(meetingId), Incident(meetingId), Survey(meetingId), SurveyResponse(surveyId).
 */
import { type LaneRate, laneRates } from './lane-rates.js';
import { formatFen } from '../money.js';
import type { Config } from '../config.js';
import type { PrismaClient } from '../db/client.js';
import type { ChecklistService } from './checklists.js';
import type { IncidentService } from './incidents.js';
import type { MeetingRow } from './meetings.js';
import type { SurveyResults } from './survey-results.js';
import type { SurveyService } from './surveys.js';
import { databaseKind } from '../db/database-url.js';

declare module './services.js' {
  interface Services {
    meetingKpis: MeetingKpiService;
  }
}

export type KpiStatus = 'green' | 'amber' | 'red' | 'none';
export type KpiId = 'prep' | 'rsvp' | 'arrival' | 'checkinRate' | 'satisfaction' | 'incidents' | 'cost';
/** How a value reads: a share (0..1), a count, people per minute, a score out of 5, a duration, a signed share. */
export type KpiUnit = 'share' | 'count' | 'perMinute' | 'score' | 'ms' | 'signedShare';

/** One line of "how it was computed": a catalogue key (`console.how.*`) and its figures. */
export interface KpiLine {
  key: string;
  params: Record<string, string | number | Date>;
}

/** A figure inside a KPI (a department, a dimension, MTTA). `label` is data (a name) or null with `labelKey`. */
export interface KpiPart {
  label: string | null;
  labelKey?: string;
  value: number | null;
  unit: KpiUnit;
  status: KpiStatus;
}

export interface Kpi {
  id: KpiId;
  value: number | null;
  unit: KpiUnit;
  target: number | null;
  status: KpiStatus;
  how: KpiLine[];
  parts: KpiPart[];
}

/** Budget figures of a meeting; null while it has no budget. */
export interface CostDeviation {
  /** Approved budget, in fen. */
  budget: number;
  /** Spent (or, while expenses are still coming in, forecast), in fen. */
  actual: number;
  /** (actual - budget) / budget. */
  deviation: number;
  /** `actual` is the forecast: not every line has its expense yet. */
  forecast?: boolean;
}

/** Where the cost KPI comes from: the budget capability, wired in at composition. */
export interface CostSource {
  costDeviation(meetingId: number): Promise<CostDeviation | null>;
}

/** Until budgeting exists every meeting reads "no budget yet". */
export const NO_BUDGET: CostSource = { costDeviation: async () => null };

/** House thresholds below the targets, shown in each KPI's explanation. */
export const THRESHOLDS = {
  /** Preparation: amber down to this many points below the target. */
  prepAmberPoints: 10,
  /** Answered share of the invited: green from, amber from. */
  rsvpGreen: 0.9,
  rsvpAmber: 0.7,
  /** Arrived share of the confirmed once the meeting started. */
  arrivalGreen: 0.9,
  arrivalAmber: 0.7,
  /** Peak check-in rate: amber from this share of the target. */
  checkinAmberShare: 0.75,
  /** Satisfaction: amber down to this much below the target. */
  satisfactionAmberBelow: 0.5,
  /** Cost: amber up to this deviation (beyond the ±target). */
  costAmber: 0.1,
} as const;

export interface ArrivalBucket {
  /** Start of the 5-minute slot. */
  at: Date;
  count: number;
}

/** The raw series behind the charts. */
export interface MeetingSeries {
  arrivals: ArrivalBucket[];
  funnel: { invited: number; answered: number; attending: number; arrived: number };
  dimensions: Array<{ name: string; average: number | null }>;
  /** Per hour: incidents reported, and still open at the hour's end. */
  incidents: Array<{ at: Date; reported: number; open: number }>;
}

export interface MeetingKpis {
  meetingId: number;
  computedAt: Date;
  kpis: Kpi[];
  series: MeetingSeries;
}

const SLOT_MS = 5 * 60_000;
const HOUR_MS = 3_600_000;
/** A chart never draws more than a day of slots (a meeting with a stray check-in days later). */
const MAX_SLOTS = 288;

const share = (n: number, of: number) => (of === 0 ? null : n / of);
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
const pct = (r: number | null) => (r === null ? '—' : `${round(r * 100)}%`);
const mean = (xs: number[]) => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);

function grade(value: number | null, green: number, amber: number): KpiStatus {
  if (value === null) return 'none';
  return value >= green ? 'green' : value >= amber ? 'amber' : 'red';
}

export class MeetingKpiService {
  private readonly surveyCache = new Map<number, { key: string; results: SurveyResults }>();

  constructor(
    private readonly db: PrismaClient,
    private readonly config: Config,
    private readonly checklists: Pick<ChecklistService, 'report'>,
    private readonly surveys: Pick<SurveyService, 'results'>,
    private readonly incidents: Pick<IncidentService, 'ackDeadlineMs'>,
    private readonly costs: CostSource = NO_BUDGET,
  ) {}

  async compute(meeting: MeetingRow, now: Date): Promise<MeetingKpis> {
    const [prep, attendees, minutes, satisfaction, incidents, cost, door] = await Promise.all([
      this.checklists.report(meeting.id, now),
      this.answers(meeting.id),
      this.arrivalMinutes(meeting.id),
      this.latestSurvey(meeting.id),
      this.db.incident.findMany({ where: { meetingId: meeting.id }, select: { type: true, severity: true, status: true, createdAt: true, ackedAt: true, resolvedAt: true } }),
      this.costs.costDeviation(meeting.id),
      laneRates(this.db, meeting.id, now),
    ]);
    const checkin = this.checkinFigures(minutes, now);
    const arrived = [...minutes.values()].reduce((a, b) => a + b, 0);
    const kpis: Kpi[] = [
      this.prepKpi(prep),
      this.rsvpKpi(attendees),
      this.arrivalKpi(meeting, attendees.yes, arrived, now),
      this.checkinKpi(checkin, arrived, door.lanes),
      this.satisfactionKpi(satisfaction),
      this.incidentKpi(incidents, now),
      this.costKpi(cost),
    ];
    return {
      meetingId: meeting.id,
      computedAt: now,
      kpis,
      series: {
        arrivals: this.arrivalSlots(minutes),
        funnel: { invited: attendees.invited, answered: attendees.answered, attending: attendees.yes, arrived },
        dimensions: satisfaction?.dimensions.map((d) => ({ name: d.name, average: d.average })) ?? [],
        incidents: this.incidentHours(incidents, now),
      },
    };
  }

  // ---- queries ------------------------------------------------------------------------

  /** Counts by answer from the (meetingId, response) index; people without an account apart. */
  private async answers(meetingId: number) {
    const [groups, noAccount] = await Promise.all([
      this.db.attendee.groupBy({ by: ['response'], where: { meetingId }, _count: { _all: true } }),
      this.db.attendee.count({ where: { meetingId, response: 'pending', userId: null } }),
    ]);
    const by = (r: string) => groups.find((g) => g.response === r)?._count._all ?? 0;
    const invited = groups.reduce((s, g) => s + g._count._all, 0);
    const yes = by('yes');
    const no = by('no');
    const maybe = by('maybe');
    return { invited, yes, no, maybe, pending: by('pending') - noAccount, noAccount, answered: yes + no + maybe };
  }

  /**
   * Check-ins per minute (epoch minute -> count), counted by the database from the (meetingId,
   * checkedInAt) index alone: SQLite stores times as UTC ISO text, so the first 16 characters are
   * the minute; PostgreSQL stores a UTC timestamp, formatted the same way. Reading thousands of
   * rows through the client instead costs several times as long. Should a stored time ever not
   * look like that, the rows are read and counted here.
   */
  private async arrivalMinutes(meetingId: number): Promise<Map<number, number>> {
    const rows =
      databaseKind(this.config.DATABASE_URL) === 'postgresql'
        ? await this.db.$queryRaw<Array<{ minute: string; n: bigint | number }>>`
      SELECT to_char(date_trunc('minute', "checkedInAt"), 'YYYY-MM-DD"T"HH24:MI') AS minute, COUNT(*) AS n FROM "Attendee"
      WHERE "meetingId" = ${meetingId} AND "checkedInAt" IS NOT NULL GROUP BY 1`
        : await this.db.$queryRaw<Array<{ minute: string; n: bigint | number }>>`
      SELECT substr("checkedInAt", 1, 16) AS minute, COUNT(*) AS n FROM "Attendee"
      WHERE "meetingId" = ${meetingId} AND "checkedInAt" IS NOT NULL GROUP BY minute`;
    const minutes = new Map<number, number>();
    for (const row of rows) {
      const at = Date.parse(`${row.minute}:00Z`);
      if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(row.minute) || Number.isNaN(at)) return this.arrivalMinutesRead(meetingId);
      minutes.set(at / 60_000, Number(row.n));
    }
    return minutes;
  }

  private async arrivalMinutesRead(meetingId: number): Promise<Map<number, number>> {
    const rows = await this.db.attendee.findMany({ where: { meetingId, checkedInAt: { not: null } }, select: { checkedInAt: true } });
    const minutes = new Map<number, number>();
    for (const r of rows) {
      const minute = Math.floor(r.checkedInAt!.getTime() / 60_000);
      minutes.set(minute, (minutes.get(minute) ?? 0) + 1);
    }
    return minutes;
  }

  /**
   * The latest survey's results. Answers are only ever added, so results stay valid while the
   * counts of answers and recipients (two index-only counts) are unchanged: a live page does not
   * re-read thousands of answers on every check-in.
   */
  private async latestSurvey(meetingId: number) {
    const survey = await this.db.survey.findFirst({ where: { meetingId }, orderBy: { id: 'desc' } });
    if (!survey) return null;
    const [responses, recipients] = await Promise.all([this.db.surveyResponse.count({ where: { surveyId: survey.id } }), this.db.surveyRecipient.count({ where: { surveyId: survey.id } })]);
    const key = `${responses}/${recipients}/${survey.dimensions}`;
    const cached = this.surveyCache.get(survey.id);
    if (cached?.key === key) return cached.results;
    const results = await this.surveys.results(survey);
    if (this.surveyCache.size > 100) this.surveyCache.clear();
    this.surveyCache.set(survey.id, { key, results });
    return results;
  }

  // ---- figures ------------------------------------------------------------------------

  /** Peak check-ins in one calendar minute; "now" is the mean per minute over the last 5 minutes. */
  private checkinFigures(perMinute: ReadonlyMap<number, number>, now: Date): { peak: number; peakAt: Date | null; now: number } {
    let peak = 0;
    let peakMinute: number | null = null;
    for (const [minute, count] of perMinute) {
      if (count > peak || (count === peak && peakMinute !== null && minute < peakMinute)) [peak, peakMinute] = [count, minute];
    }
    const nowMinute = Math.floor(now.getTime() / 60_000);
    let recent = 0;
    for (let m = nowMinute - 4; m <= nowMinute; m++) recent += perMinute.get(m) ?? 0;
    return { peak, peakAt: peakMinute === null ? null : new Date(peakMinute * 60_000), now: round(recent / 5) };
  }

  private arrivalSlots(perMinute: ReadonlyMap<number, number>): ArrivalBucket[] {
    if (perMinute.size === 0) return [];
    const slotOf = (minute: number) => Math.floor((minute * 60_000) / SLOT_MS);
    const last = slotOf(Math.max(...perMinute.keys()));
    const first = Math.max(slotOf(Math.min(...perMinute.keys())), last - MAX_SLOTS + 1);
    const counts = new Array<number>(last - first + 1).fill(0);
    for (const [minute, count] of perMinute) {
      const slot = slotOf(minute);
      if (slot >= first) counts[slot - first]! += count;
    }
    return counts.map((count, i) => ({ at: new Date((first + i) * SLOT_MS), count }));
  }

  private incidentHours(rows: ReadonlyArray<{ createdAt: Date; resolvedAt: Date | null }>, now: Date): MeetingSeries['incidents'] {
    if (rows.length === 0) return [];
    const first = Math.floor(Math.min(...rows.map((r) => r.createdAt.getTime())) / HOUR_MS);
    const last = Math.max(first, Math.floor(now.getTime() / HOUR_MS));
    const from = Math.max(first, last - 47);
    const hours: MeetingSeries['incidents'] = [];
    for (let h = from; h <= last; h++) {
      const end = (h + 1) * HOUR_MS;
      hours.push({
        at: new Date(h * HOUR_MS),
        reported: rows.filter((r) => Math.floor(r.createdAt.getTime() / HOUR_MS) === h).length,
        open: rows.filter((r) => r.createdAt.getTime() < end && (!r.resolvedAt || r.resolvedAt.getTime() >= end)).length,
      });
    }
    return hours;
  }

  // ---- one KPI each ----------------------------------------------------------------------

  private prepKpi(report: Awaited<ReturnType<ChecklistService['report']>>): Kpi {
    const target = report.target / 100;
    const amber = (report.target - THRESHOLDS.prepAmberPoints) / 100;
    return {
      id: 'prep',
      value: report.rate,
      unit: 'share',
      target,
      status: grade(report.rate, target, amber),
      how: [
        { key: report.items.length === 0 ? 'console.how.prepNone' : 'console.how.prep', params: { onTime: report.onTime, due: report.due, rate: pct(report.rate), target: pct(target), amber: pct(amber) } },
        { key: 'console.how.prepCounts', params: { late: report.late, overdueOpen: report.overdueOpen, notDue: report.notDue } },
      ],
      parts: report.byDepartment.map((d) => ({
        label: d.department,
        ...(d.department === null ? { labelKey: 'console.noDepartment' } : {}),
        value: d.rate,
        unit: 'share' as const,
        status: grade(d.rate, target, amber),
      })),
    };
  }

  private rsvpKpi(a: Awaited<ReturnType<MeetingKpiService['answers']>>): Kpi {
    const answered = share(a.answered, a.invited);
    const count = (labelKey: string, value: number): KpiPart => ({ label: null, labelKey, value, unit: 'count', status: 'none' });
    return {
      id: 'rsvp',
      value: answered,
      unit: 'share',
      target: THRESHOLDS.rsvpGreen,
      status: grade(answered, THRESHOLDS.rsvpGreen, THRESHOLDS.rsvpAmber),
      how: [{ key: 'console.how.rsvp', params: { answered: a.answered, invited: a.invited, rate: pct(answered), green: pct(THRESHOLDS.rsvpGreen), amber: pct(THRESHOLDS.rsvpAmber) } }],
      parts: [count('console.part.attending', a.yes), count('console.part.declined', a.no), count('console.part.maybe', a.maybe), count('console.part.pending', a.pending), count('console.part.noAccount', a.noAccount)],
    };
  }

  private arrivalKpi(meeting: MeetingRow, confirmed: number, arrived: number, now: Date): Kpi {
    const rate = share(arrived, confirmed);
    const started = now >= meeting.startAt;
    return {
      id: 'arrival',
      value: rate,
      unit: 'share',
      target: THRESHOLDS.arrivalGreen,
      // Before the start a low share is expected, not a problem.
      status: started ? grade(rate, THRESHOLDS.arrivalGreen, THRESHOLDS.arrivalAmber) : 'none',
      how: [
        { key: 'console.how.arrival', params: { arrived, confirmed, rate: pct(rate), green: pct(THRESHOLDS.arrivalGreen), amber: pct(THRESHOLDS.arrivalAmber) } },
        ...(started ? [] : [{ key: 'console.how.arrivalNotStarted', params: {} }]),
      ],
      parts: [
        { label: null, labelKey: 'console.part.arrived', value: arrived, unit: 'count', status: 'none' },
        { label: null, labelKey: 'console.part.confirmed', value: confirmed, unit: 'count', status: 'none' },
      ],
    };
  }

  /** `lanes`: arrivals per door lane over the last minutes, each against the same per-minute target. */
  private checkinKpi(c: { peak: number; peakAt: Date | null; now: number }, arrived: number, lanes: readonly LaneRate[]): Kpi {
    const target = this.config.HUIWU_CHECKIN_TARGET_PER_MINUTE;
    // Fewer arrivals than one minute's target cannot show the desk's speed.
    const measurable = arrived >= target;
    return {
      id: 'checkinRate',
      value: arrived === 0 ? null : c.peak,
      unit: 'perMinute',
      target,
      status: measurable ? grade(c.peak, target, target * THRESHOLDS.checkinAmberShare) : 'none',
      how: [
        { key: 'console.how.checkinPeak', params: { peak: c.peak, at: c.peakAt ?? '—', target, amber: round(target * THRESHOLDS.checkinAmberShare) } },
        { key: 'console.how.checkinNow', params: { now: c.now } },
        ...(measurable ? [] : [{ key: 'console.how.checkinTooFew', params: { arrived, target } }]),
      ],
      parts: [
        { label: null, labelKey: 'console.part.rateNow', value: c.now, unit: 'perMinute', status: 'none' },
        { label: null, labelKey: 'console.part.ratePeak', value: c.peak, unit: 'perMinute', status: measurable ? grade(c.peak, target, target * THRESHOLDS.checkinAmberShare) : 'none' },
        // A lane that has admitted nobody yet is not rated.
        ...lanes.map((l) => ({ label: l.lane, value: l.perMinute, unit: 'perMinute' as const, status: l.total > 0 ? grade(l.perMinute, target, target * THRESHOLDS.checkinAmberShare) : ('none' as const) })),
      ],
    };
  }

  private satisfactionKpi(r: SurveyResults | null): Kpi {
    const target = this.config.HUIWU_SATISFACTION_TARGET;
    const amber = round(target - THRESHOLDS.satisfactionAmberBelow, 2);
    const value = r && r.responses > 0 ? r.overall : null;
    return {
      id: 'satisfaction',
      value,
      unit: 'score',
      target,
      status: grade(value, target, amber),
      how: [
        r
          ? { key: r.overallName ? 'console.how.satisfactionOverall' : 'console.how.satisfactionMean', params: { responses: r.responses, recipients: r.recipients, rate: pct(r.responseRate), name: r.overallName ?? '', target, amber } }
          : { key: 'console.how.satisfactionNone', params: { target } },
      ],
      parts: (r?.dimensions ?? []).map((d) => ({ label: d.name, value: d.average, unit: 'score' as const, status: grade(d.average, target, amber) })),
    };
  }

  private incidentKpi(rows: ReadonlyArray<{ type: string; severity: number; status: string; createdAt: Date; ackedAt: Date | null; resolvedAt: Date | null }>, now: Date): Kpi {
    const open = rows.filter((r) => r.status !== 'resolved');
    const overdue = open.filter((r) => r.status === 'open' && now.getTime() - r.createdAt.getTime() > this.incidents.ackDeadlineMs(r)).length;
    const severe = open.filter((r) => r.severity === 1).length;
    const mtta = mean(rows.filter((r) => r.ackedAt).map((r) => r.ackedAt!.getTime() - r.createdAt.getTime()));
    const mttr = mean(rows.filter((r) => r.resolvedAt).map((r) => r.resolvedAt!.getTime() - r.createdAt.getTime()));
    return {
      id: 'incidents',
      value: open.length,
      unit: 'count',
      target: 0,
      status: overdue > 0 || severe > 0 ? 'red' : open.length > 0 ? 'amber' : 'green',
      how: [
        { key: 'console.how.incidents', params: { total: rows.length, open: open.length, overdue, severe } },
        { key: 'console.how.incidentTimes', params: { acked: rows.filter((r) => r.ackedAt).length, resolved: rows.filter((r) => r.resolvedAt).length } },
      ],
      parts: [
        { label: null, labelKey: 'console.part.total', value: rows.length, unit: 'count', status: 'none' },
        { label: null, labelKey: 'console.part.mtta', value: mtta === null ? null : Math.round(mtta), unit: 'ms', status: 'none' },
        { label: null, labelKey: 'console.part.mttr', value: mttr === null ? null : Math.round(mttr), unit: 'ms', status: 'none' },
      ],
    };
  }

  private costKpi(cost: CostDeviation | null): Kpi {
    const target = 0.05;
    if (!cost) return { id: 'cost', value: null, unit: 'signedShare', target, status: 'none', how: [{ key: 'console.how.costNone', params: { target: pct(target) } }], parts: [] };
    const off = Math.abs(cost.deviation);
    return {
      id: 'cost',
      value: cost.deviation,
      unit: 'signedShare',
      target,
      status: off <= target ? 'green' : off <= THRESHOLDS.costAmber ? 'amber' : 'red',
      how: [
        {
          key: cost.forecast ? 'console.how.costForecast' : 'console.how.cost',
          params: { actual: formatFen(cost.actual), budget: formatFen(cost.budget), deviation: pct(cost.deviation), target: pct(target), amber: pct(THRESHOLDS.costAmber) },
        },
      ],
      parts: [],
    };
  }
}
