/**
 * The post-event review of a whole meeting (`会议 复盘 #N`): response rate, no-shows, check-in
 * peak, incidents by type with MTTA/MTTR, complaints, preparation, satisfaction with its lowest
 * dimensions and comments, cost deviation, and suggested follow-ups (one per red KPI). Every KPI
 * figure comes from MeetingKpiService, so the review, the console and the archive's summary agree;
 * only what the KPIs do not carry (no-shows, per-type times, complaints, comments) is read here.
 */
import { formatDuration, isComplaint, typeCode } from '../../cards/incident-labels.js';
import type { PrismaClient } from '../db/client.js';
import type { Translator } from '../i18n/translator.js';
import { tileView } from '../web/console/view.js';
import type { Kpi, KpiId, MeetingKpiService, MeetingKpis } from './meeting-kpis.js';
import type { MeetingRow } from './meetings.js';
import type { SurveyService } from './surveys.js';

declare module './services.js' {
  interface Services {
    meetingReview: MeetingReviewService;
  }
}

export interface IncidentTypeFigures {
  /** Type code (`equipment`, `complaint`, ...). */
  type: string;
  count: number;
  open: number;
  mttaMs: number | null;
  mttrMs: number | null;
}

/** A suggested follow-up: a catalogue key (`review.followUp.<kpi>`) and its figures; worded by whoever shows it. */
export interface FollowUp {
  kpi: KpiId | 'complaints';
  key: string;
  params: Record<string, string | number>;
  /** Names listed in the text (departments, dimensions), joined in the reader's language as `{names}`. */
  names?: string[];
}

export interface MeetingReview {
  meeting: MeetingRow;
  kpis: MeetingKpis;
  /** Confirmed (参加) people who never checked in; null before the meeting started. */
  noShows: number | null;
  confirmed: number;
  incidentTypes: IncidentTypeFigures[];
  complaints: { total: number; resolved: number; good: number; ok: number; bad: number };
  /** Lowest-scoring survey dimensions first (at most three), and the survey's comments. */
  lowest: Array<{ name: string; average: number }>;
  comments: string[];
  followUps: FollowUp[];
}

/** One titled part of the review as lines of text, for chat and the archive's HTML alike. */
export interface ReviewSection {
  title: string;
  lines: string[];
}

const LOWEST = 3;
const COMMENTS = 20;
const mean = (xs: number[]) => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);
const pct = (r: number) => `${Math.round(r * 1000) / 10}%`;

export class MeetingReviewService {
  constructor(
    private readonly db: PrismaClient,
    private readonly kpis: MeetingKpiService,
    private readonly surveys: Pick<SurveyService, 'results'>,
  ) {}

  async compute(meeting: MeetingRow, now: Date): Promise<MeetingReview> {
    const [kpis, confirmed, missing, incidents, survey] = await Promise.all([
      this.kpis.compute(meeting, now),
      this.db.attendee.count({ where: { meetingId: meeting.id, response: 'yes' } }),
      this.db.attendee.count({ where: { meetingId: meeting.id, response: 'yes', checkedInAt: null } }),
      this.db.incident.findMany({ where: { meetingId: meeting.id }, orderBy: { id: 'asc' }, select: { type: true, status: true, createdAt: true, ackedAt: true, resolvedAt: true, satisfaction: true } }),
      this.db.survey.findFirst({ where: { meetingId: meeting.id }, orderBy: { id: 'desc' } }),
    ]);
    const results = survey ? await this.surveys.results(survey) : null;
    const types = new Map<string, typeof incidents>();
    for (const r of incidents) types.set(typeCode(r.type), [...(types.get(typeCode(r.type)) ?? []), r]);
    const complaints = incidents.filter((r) => isComplaint(r.type));
    const lowest = (results?.lowest ?? []).filter((d) => d.average !== null).slice(0, LOWEST).map((d) => ({ name: d.name, average: d.average! }));
    const review: Omit<MeetingReview, 'followUps'> = {
      meeting,
      kpis,
      noShows: now >= meeting.startAt ? missing : null,
      confirmed,
      incidentTypes: [...types].map(([type, rows]) => ({
        type,
        count: rows.length,
        open: rows.filter((r) => r.status !== 'resolved').length,
        mttaMs: round(mean(rows.filter((r) => r.ackedAt).map((r) => r.ackedAt!.getTime() - r.createdAt.getTime()))),
        mttrMs: round(mean(rows.filter((r) => r.resolvedAt).map((r) => r.resolvedAt!.getTime() - r.createdAt.getTime()))),
      })),
      complaints: {
        total: complaints.length,
        resolved: complaints.filter((r) => r.status === 'resolved').length,
        good: complaints.filter((r) => r.satisfaction === 'good').length,
        ok: complaints.filter((r) => r.satisfaction === 'ok').length,
        bad: complaints.filter((r) => r.satisfaction === 'bad').length,
      },
      lowest,
      comments: (results?.comments ?? []).slice(0, COMMENTS),
    };
    return { ...review, followUps: followUps(review) };
  }

  /** The review as titled sections worded with `t`: the chat reply and the archive's summary show the same. */
  sections(t: Translator, review: MeetingReview): ReviewSection[] {
    const kpi = (id: KpiId) => review.kpis.kpis.find((k) => k.id === id)!;
    const line = (id: KpiId) => kpiLine(t, kpi(id));
    const how = (id: KpiId) => kpi(id).how.map((h) => `  ${t.t(h.key, h.params)}`);
    const funnel = review.kpis.series.funnel;
    const duration = (ms: number | null) => (ms === null ? t.t('review.none') : formatDuration(t, ms));
    const incidents = kpi('incidents');
    const part = (key: string) => incidents.parts.find((p) => p.labelKey === key)?.value ?? null;
    return [
      {
        title: t.t('review.section.attendance'),
        lines: [
          line('rsvp'),
          ...how('rsvp'),
          line('arrival'),
          t.t(review.noShows === null ? 'review.noShowsNotStarted' : 'review.noShows', {
            count: review.noShows ?? 0,
            confirmed: review.confirmed,
            rate: review.confirmed > 0 && review.noShows !== null ? pct(review.noShows / review.confirmed) : '—',
          }),
          t.t('review.funnel', funnel),
          line('checkinRate'),
          ...how('checkinRate').slice(0, 1),
        ],
      },
      {
        title: t.t('review.section.incidents'),
        lines: [
          line('incidents'),
          t.t('review.incidentTimes', { mtta: duration(part('console.part.mtta')), mttr: duration(part('console.part.mttr')) }),
          ...(review.incidentTypes.length === 0
            ? [t.t('review.noIncidents')]
            : review.incidentTypes.map((x) => t.t('review.incidentType', { type: t.t(`incident.type.${x.type}`), count: x.count, open: x.open, mtta: duration(x.mttaMs), mttr: duration(x.mttrMs) }))),
          t.t(review.complaints.total === 0 ? 'review.noComplaints' : 'review.complaints', review.complaints),
        ],
      },
      {
        title: t.t('review.section.preparation'),
        lines: [line('prep'), ...how('prep'), ...kpi('prep').parts.map((p) => `  ${t.t('review.department', { name: p.label ?? t.t(p.labelKey ?? 'console.noDepartment'), value: p.value === null ? '—' : pct(p.value), mark: mark(t, p.status) })}`)],
      },
      {
        title: t.t('review.section.satisfaction'),
        lines: [
          line('satisfaction'),
          ...how('satisfaction'),
          ...(review.lowest.length > 0 ? [t.t('review.lowest', { list: t.list(review.lowest.map((d) => t.t('review.dimension', { name: d.name, average: Math.round(d.average * 100) / 100 }))) })] : []),
          ...(review.comments.length > 0 ? [t.t('review.comments', { count: review.comments.length }), ...review.comments.map((text) => `  ${t.t('review.comment', { text })}`)] : []),
        ],
      },
      { title: t.t('review.section.cost'), lines: [line('cost'), ...how('cost')] },
    ];
  }

  /** The follow-ups numbered as the command takes them (`会议 复盘 #N 任务 <n>`), worded with `t`. */
  followUpTexts(t: Translator, review: MeetingReview): string[] {
    return review.followUps.map((f) => t.t(f.key, { ...f.params, names: t.list(f.names ?? []) }));
  }
}

function round(n: number | null): number | null {
  return n === null ? null : Math.round(n);
}

function mark(t: Translator, status: string): string {
  return t.t(`review.mark.${status}`);
}

/** `回复率：92%（目标 90%）✅` from the KPI, worded as the console's tile. */
function kpiLine(t: Translator, kpi: Kpi): string {
  const tile = tileView(t, kpi);
  return t.t('review.kpiLine', { label: tile.label, value: tile.value, target: tile.target ? t.t('review.target', { target: tile.target }) : '', mark: mark(t, kpi.status) });
}

/** One follow-up per red KPI, and one when complainants were unhappy; with the figures that make it concrete. */
function followUps(review: Omit<MeetingReview, 'followUps'>): FollowUp[] {
  const out: FollowUp[] = [];
  for (const kpi of review.kpis.kpis) {
    if (kpi.status !== 'red') continue;
    const value = kpi.value ?? 0;
    switch (kpi.id) {
      case 'prep': {
        const weak = kpi.parts.filter((p) => p.status === 'red' && p.label).map((p) => p.label!);
        out.push({ kpi: kpi.id, key: weak.length ? 'review.followUp.prepDepartments' : 'review.followUp.prep', params: { rate: pct(value) }, names: weak });
        break;
      }
      case 'rsvp':
        out.push({ kpi: kpi.id, key: 'review.followUp.rsvp', params: { rate: pct(value) } });
        break;
      case 'arrival':
        out.push({ kpi: kpi.id, key: 'review.followUp.arrival', params: { rate: pct(value), count: review.noShows ?? 0 } });
        break;
      case 'checkinRate':
        out.push({ kpi: kpi.id, key: 'review.followUp.checkinRate', params: { peak: value, target: kpi.target ?? 0 } });
        break;
      case 'satisfaction':
        out.push({
          kpi: kpi.id,
          key: review.lowest.length ? 'review.followUp.satisfactionLowest' : 'review.followUp.satisfaction',
          params: { score: Math.round(value * 100) / 100 },
          names: review.lowest.map((d) => d.name),
        });
        break;
      case 'incidents':
        out.push({ kpi: kpi.id, key: 'review.followUp.incidents', params: { open: value } });
        break;
      case 'cost':
        out.push({ kpi: kpi.id, key: 'review.followUp.cost', params: { deviation: `${value > 0 ? '+' : ''}${pct(value)}` } });
        break;
    }
  }
  if (review.complaints.bad > 0) out.push({ kpi: 'complaints', key: 'review.followUp.complaints', params: { count: review.complaints.bad } });
  return out;
}
