/**
 * The console's data as the page shows it, worded in the reader's language on the server: KPI
 * tiles (value, target, status, how it was computed), the chart options from the one chart-spec
 * module, and the boards' rows. The browser only places what it receives.
 */
import { dietaryLabel, responseLabel } from '../../../cards/meeting-cards.js';
import { statusLabel } from '../../../cards/task-cards.js';
import { arrivalsOption, funnelOption, incidentsOption, scoreBarsOption, type ChartOption } from '../../charts/chart-spec.js';
import type { Translator } from '../../i18n/translator.js';
import type { AttendeeBoardRow, IncidentBoardRow, TaskBoardRow } from '../../services/console.js';
import type { Kpi, KpiPart, KpiUnit, MeetingKpis } from '../../services/meeting-kpis.js';
import type { MeetingRow } from '../../services/meetings.js';
import { wallClockOf } from '../../time/zoned.js';

export interface TileView {
  id: string;
  label: string;
  value: string;
  target: string;
  status: string;
  statusText: string;
  how: string[];
  parts: Array<{ label: string; value: string; status: string }>;
}

export interface MeetingDataView {
  meeting: { id: number; title: string; line: string; cancelled: boolean };
  updated: string;
  tiles: TileView[];
  charts: Record<'arrivals' | 'funnel' | 'satisfaction' | 'incidents', { option: ChartOption; empty: boolean }>;
  /** The raw figures, for scripts and tests that read numbers rather than words. */
  figures: Record<string, number | null>;
}

const pct = (r: number) => `${Math.round(r * 1000) / 10}%`;
const pad = (n: number) => String(n).padStart(2, '0');

export function clockOf(at: Date, zone: string, seconds = false): string {
  const w = wallClockOf(at, zone);
  return `${pad(w.h)}:${pad(w.mi)}${seconds ? `:${pad(w.s)}` : ''}`;
}

function durationText(t: Translator, ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return t.t('incident.duration.seconds', { s });
  if (s < 3600) return t.t('incident.duration.minutes', { m: Math.floor(s / 60), s: pad(s % 60) });
  return t.t('incident.duration.hours', { h: Math.floor(s / 3600), m: Math.floor((s % 3600) / 60) });
}

function valueText(t: Translator, value: number | null, unit: KpiUnit): string {
  if (value === null) return t.t('console.value.none');
  switch (unit) {
    case 'share':
      return pct(value);
    case 'signedShare':
      return `${value > 0 ? '+' : ''}${pct(value)}`;
    case 'perMinute':
      return t.t('console.value.perMinute', { value });
    case 'score':
      return t.t('console.value.score', { value: Math.round(value * 100) / 100 });
    case 'ms':
      return durationText(t, value);
    default:
      return t.t('console.value.count', { value });
  }
}

function targetText(t: Translator, kpi: Kpi): string {
  if (kpi.target === null) return '';
  const target = kpi.unit === 'share' || kpi.unit === 'signedShare' ? pct(kpi.target) : kpi.target;
  return t.t(`console.target.${kpi.unit === 'ms' ? 'count' : kpi.unit}`, { target });
}

function partView(t: Translator, part: KpiPart) {
  return { label: part.label ?? t.t(part.labelKey ?? 'console.value.none'), value: valueText(t, part.value, part.unit), status: part.status };
}

export function tileView(t: Translator, kpi: Kpi): TileView {
  const noBudget = kpi.id === 'cost' && kpi.value === null;
  return {
    id: kpi.id,
    label: t.t(`console.kpi.${kpi.id}`),
    value: noBudget ? t.t('console.value.noBudget') : valueText(t, kpi.value, kpi.unit),
    target: targetText(t, kpi),
    status: kpi.status,
    statusText: t.t(`console.status.${kpi.status}`),
    how: kpi.how.map((line) => t.t(line.key, line.params)),
    parts: kpi.parts.map((p) => partView(t, p)),
  };
}

export function meetingLine(t: Translator, meeting: MeetingRow): string {
  return t.t('console.page.meetingLine', { id: meeting.id, time: meeting.startAt, venue: meeting.venue ?? t.t('meeting.venueTbd') });
}

export function meetingDataView(t: Translator, meeting: MeetingRow, data: MeetingKpis, perMinuteTarget: number): MeetingDataView {
  const zone = t.timeZone;
  const { series } = data;
  const perSlot = perMinuteTarget * 5;
  const kpi = (id: string) => data.kpis.find((k) => k.id === id)!;
  return {
    meeting: { id: meeting.id, title: meeting.title, line: meetingLine(t, meeting), cancelled: meeting.status === 'cancelled' },
    updated: t.t('console.page.updated', { time: clockOf(data.computedAt, zone, true) }),
    tiles: data.kpis.map((k) => tileView(t, k)),
    charts: {
      arrivals: {
        empty: series.arrivals.length === 0,
        option: arrivalsOption({
          title: t.t('console.chart.arrivals'),
          labels: series.arrivals.map((b) => clockOf(b.at, zone)),
          counts: series.arrivals.map((b) => b.count),
          target: { value: perSlot, label: t.t('console.chart.arrivalsTarget', { target: perMinuteTarget, perSlot }) },
        }),
      },
      funnel: {
        empty: series.funnel.invited === 0,
        option: funnelOption({
          title: t.t('console.chart.funnel'),
          stages: (['invited', 'answered', 'attending', 'arrived'] as const).map((s) => ({ name: t.t(`console.chart.${s}`), value: series.funnel[s] })),
        }),
      },
      satisfaction: {
        empty: series.dimensions.every((d) => d.average === null),
        option: scoreBarsOption({
          title: t.t('console.chart.satisfaction'),
          labels: series.dimensions.map((d) => d.name),
          values: series.dimensions.map((d) => d.average ?? 0),
          target: { value: kpi('satisfaction').target!, label: t.t('console.chart.satisfactionTarget', { target: kpi('satisfaction').target! }) },
        }),
      },
      incidents: {
        empty: series.incidents.length === 0,
        option: incidentsOption({
          title: t.t('console.chart.incidents'),
          labels: series.incidents.map((h) => clockOf(h.at, zone)),
          reported: series.incidents.map((h) => h.reported),
          open: series.incidents.map((h) => h.open),
          names: { reported: t.t('console.chart.reported'), open: t.t('console.chart.open') },
        }),
      },
    },
    figures: Object.fromEntries([
      ...data.kpis.map((k) => [k.id, k.value] as const),
      ['arrived', series.funnel.arrived],
      ['invited', series.funnel.invited],
      ['answered', series.funnel.answered],
      ['arrivalSlots', series.arrivals.reduce((s, b) => s + b.count, 0)],
    ]),
  };
}

export function attendeeRowView(t: Translator, r: AttendeeBoardRow) {
  return {
    name: r.name,
    department: r.department ?? '',
    answer: responseLabel(t, r.state),
    meal: r.dietary ? dietaryLabel(t, r.dietary) : '',
    room: r.accommodation === null ? '' : r.accommodation ? t.t('console.room.yes', { nights: r.nights ?? 1 }) : t.t('console.room.no'),
    checkedIn: r.checkedInAt ? t.dateTime(r.checkedInAt) : '',
    phone: r.phone,
    idNumber: r.idNumber,
  };
}

/**
 * An incident row with its timer: the text has an `{elapsed}` the page fills every second from
 * `since` (and `until`, once the clock stopped).
 */
export function incidentRowView(t: Translator, r: IncidentBoardRow, names: Record<string, string>, now: Date) {
  const elapsed = '{elapsed}';
  const owner = r.ownerId ? (names[r.ownerId] ?? r.ownerId) : '';
  let timer: { text: string; since: string; until: string | null; late: boolean };
  if (r.status === 'resolved') timer = { text: t.t('console.incident.resolved', { elapsed }), since: r.createdAt.toISOString(), until: (r.resolvedAt ?? now).toISOString(), late: false };
  else if (r.status === 'open') {
    const late = r.ackDueAt !== null && r.ackDueAt <= now;
    timer = late
      ? { text: t.t('console.incident.late', { elapsed }), since: r.ackDueAt!.toISOString(), until: null, late }
      : { text: t.t('console.incident.waiting', { elapsed, due: r.ackDueAt ?? now }), since: r.createdAt.toISOString(), until: null, late };
  } else timer = { text: t.t('console.incident.running', { elapsed }), since: r.createdAt.toISOString(), until: null, late: false };
  return {
    id: r.id,
    open: r.status !== 'resolved',
    line: t.t('console.incident.line', { id: r.id, label: r.label, location: r.location ? `${r.location} · ` : '', description: r.description }),
    status: t.t(`incident.status.${r.status}`),
    acked: r.ackedAt ? t.t('console.incident.acked', { elapsed: durationText(t, r.ackedAt.getTime() - r.createdAt.getTime()), owner }) : '',
    timer,
  };
}

export function taskRowView(t: Translator, r: TaskBoardRow, names: Record<string, string>) {
  return {
    id: r.id,
    line: t.t('console.task.line', { id: r.id, title: r.title }),
    status: statusLabel(t, r.status),
    done: r.status === 'done',
    overdue: r.overdue,
    overdueText: r.overdue ? t.t('console.task.overdue') : '',
    due: t.t('console.task.due', { due: r.dueAt }),
    assignee: r.assigneeId ? t.t('console.task.assignee', { name: names[r.assigneeId] ?? r.assigneeId }) : t.t('console.task.nobody'),
    department: r.department ?? t.t('console.noDepartment'),
  };
}
