/**
 * Meeting cards: the invitation (RSVP), the organizers' live-count card and the check-in card.
 * Pure functions of the meeting and the attendee row, rendered in the reader's language (`t`).
 */
import type { Translator } from '../src/i18n/translator.js';
import { formatDeviation, formatFen } from '../src/money.js';
import type { Card, CardField } from './model.js';

export const RSVP_ACTIONS = { yes: 'rsvp.yes', no: 'rsvp.no', maybe: 'rsvp.maybe' } as const;
export const CHECKIN_ACTION = 'checkin.self';

/** Recorded answers, plus `noAccount`: an imported guest without a chat account whose answer no organizer has recorded yet. */
export const RESPONSES = ['yes', 'no', 'maybe', 'pending', 'noAccount'] as const;

/** The state an attendee row shows: its answer, or `noAccount` for a guest nobody can ask in chat. */
export function stateOf(row: { userId: string | null; response: string }): string {
  return row.userId === null && row.response === 'pending' ? 'noAccount' : row.response;
}
export const DIETARY = ['none', 'vegetarian', 'halal', 'other'] as const;

export function responseLabel(t: Translator, response: string): string {
  return (RESPONSES as readonly string[]).includes(response) ? t.t(`meeting.response.${response}`) : response;
}

export function dietaryLabel(t: Translator, dietary: string): string {
  return (DIETARY as readonly string[]).includes(dietary) ? t.t(`meeting.dietary.${dietary}`) : dietary;
}

export interface MeetingView {
  id: number;
  title: string;
  /** Formatted `YYYY-MM-DD HH:mm[~HH:mm]` (the same in every language). */
  time: string;
  venue: string | null;
  organizers: string[];
}

export interface AnswerView {
  response: string;
  dietary: string | null;
  dietaryNote: string | null;
  accommodation: boolean | null;
  nights: number | null;
  note: string | null;
}

export function venueText(t: Translator, venue: string | null): string {
  return venue ?? t.t('meeting.venueTbd');
}

export function organizersText(t: Translator, organizers: readonly string[]): string {
  return organizers.length > 0 ? t.list(organizers) : '—';
}

function meetingFields(t: Translator, m: MeetingView): CardField[] {
  return [
    { label: t.t('meeting.card.time'), value: m.time },
    { label: t.t('meeting.card.venue'), value: venueText(t, m.venue) },
    { label: t.t('meeting.card.organizers'), value: organizersText(t, m.organizers) },
  ];
}

/** One line describing a recorded answer, e.g. `参加 · 餐食：素食 · 住宿 2 晚 · 备注：晚到`. */
export function describeAnswer(t: Translator, a: AnswerView): string {
  const parts = [responseLabel(t, a.response)];
  if (a.response !== 'no') {
    if (a.dietary) {
      const note = a.dietaryNote ? t.t('meeting.answer.mealNote', { note: a.dietaryNote }) : '';
      parts.push(t.t('meeting.answer.meal', { meal: dietaryLabel(t, a.dietary), note }));
    }
    if (a.accommodation !== null) parts.push(a.accommodation ? t.t('meeting.answer.rooms', { nights: a.nights ?? 1, count: a.nights ?? 1 }) : t.t('meeting.answer.noRooms'));
  }
  if (a.note) parts.push(t.t('meeting.answer.note', { note: a.note }));
  return parts.join(' · ');
}

export interface InviteCardInput {
  cardId: string;
  meeting: MeetingView;
  attendeeName: string;
  answer: AnswerView | null;
  /** Who recorded the answer when it was not the attendee (an organizer's name). */
  answeredBy?: string | null;
  /** Until when answers can change. */
  cutoff: Date;
  cancelled?: boolean;
  /** Dietary needs the attendee told us before (their 我的信息), pre-filled while they have not answered. */
  known?: { dietary: string; dietaryNote: string | null } | null;
}

export function inviteCard(t: Translator, input: InviteCardInput): Card {
  const { meeting, answer } = input;
  const known = answer ? null : (input.known ?? null);
  const card: Card = {
    id: input.cardId,
    title: t.t('meeting.card.invite.title', { id: meeting.id, title: meeting.title }),
    body: known ? `${t.t('meeting.card.invite.body', { name: input.attendeeName })}\n${t.t('meeting.card.invite.known', { meal: dietaryLabel(t, known.dietary) })}` : t.t('meeting.card.invite.body', { name: input.attendeeName }),
    fields: meetingFields(t, meeting),
    inputs: [
      {
        key: 'dietary',
        label: t.t('meeting.card.invite.dietary'),
        kind: 'select',
        options: DIETARY.map((value) => ({ value, label: dietaryLabel(t, value) })),
        value: answer?.dietary ?? known?.dietary ?? 'none',
      },
      {
        key: 'dietaryNote',
        label: t.t('meeting.card.invite.dietaryNote'),
        kind: 'text',
        placeholder: t.t('meeting.card.invite.dietaryNotePlaceholder'),
        value: answer?.dietaryNote ?? known?.dietaryNote ?? '',
      },
      {
        key: 'accommodation',
        label: t.t('meeting.card.invite.accommodation'),
        kind: 'select',
        options: [
          { value: 'no', label: t.t('meeting.card.invite.roomsNo') },
          { value: 'yes', label: t.t('meeting.card.invite.roomsYes') },
        ],
        value: answer?.accommodation ? 'yes' : 'no',
      },
      { key: 'nights', label: t.t('meeting.card.invite.nights'), kind: 'number', value: String(answer?.nights ?? 1) },
      { key: 'note', label: t.t('meeting.card.invite.note'), kind: 'text', placeholder: t.t('meeting.card.invite.notePlaceholder'), value: answer?.note ?? '' },
    ],
    actions: [
      { key: RSVP_ACTIONS.yes, label: responseLabel(t, 'yes'), style: 'primary' },
      { key: RSVP_ACTIONS.no, label: responseLabel(t, 'no'), style: 'danger' },
      { key: RSVP_ACTIONS.maybe, label: responseLabel(t, 'maybe') },
    ],
    fallback: t.t('meeting.card.invite.fallback', { id: meeting.id }),
  };
  if (input.cancelled) {
    card.state = { status: 'cancelled', label: t.t('meeting.card.cancelled'), closed: true };
  } else if (answer && answer.response !== 'pending') {
    const by = input.answeredBy ? ` · ${t.t('meeting.answer.recordedBy', { name: input.answeredBy })}` : '';
    card.state = { status: `answered-${answer.response}`, label: t.t('meeting.card.invite.answered', { answer: describeAnswer(t, answer), by, cutoff: input.cutoff }) };
  }
  return card;
}

export interface MeetingStats {
  invited: number;
  yes: number;
  no: number;
  maybe: number;
  /** People with an account who have not answered. */
  pending: number;
  /** Imported guests without an account and no recorded answer: neither non-responders nor in the response rate. */
  noAccount: number;
  meals: Record<string, number>;
  /** Rooms needed per night: index 0 is the first night. */
  roomsByNight: number[];
  arrived: number;
  /** Check-ins in the last five minutes, per minute. */
  currentRate: number;
  /** Highest check-ins in any one minute. */
  peakRate: number;
  /** The cost-deviation KPI (fen), present when the meeting has a budget. */
  cost?: CostKpi;
  /** Arrivals per check-in lane per minute (last five minutes), when the meeting has lanes. */
  lanes?: Array<{ lane: string; perMinute: number; total: number }>;
}

export interface CostKpi {
  approved: number;
  forecast: number;
  actual: number;
  forecastDeviation: number | null;
  actualDeviation: number | null;
  settled: boolean;
}

export interface StatusCardInput {
  cardId: string;
  meeting: MeetingView;
  stats: MeetingStats;
  cancelled: boolean;
  updatedAt: Date;
  checkinTarget: number;
}

export function statusCard(t: Translator, input: StatusCardInput): Card {
  const { meeting, stats } = input;
  const meals = DIETARY.map((key) => t.t('meeting.card.status.meal', { meal: dietaryLabel(t, key), count: stats.meals[key] ?? 0 })).join(' / ');
  const rooms =
    stats.roomsByNight.length === 0
      ? t.t('meeting.card.status.noRooms')
      : stats.roomsByNight.map((n, i) => t.t('meeting.card.status.night', { night: i + 1, count: n })).join(' / ');
  const rate = stats.yes === 0 ? 0 : Math.round((stats.arrived / stats.yes) * 1000) / 10;
  const peakOk = stats.peakRate >= input.checkinTarget ? '✅' : '';
  const guests = stats.noAccount > 0 ? t.t('meeting.card.status.noAccount', { count: stats.noAccount }) : '';
  return {
    id: input.cardId,
    title: t.t('meeting.card.status.title', { id: meeting.id, title: meeting.title }),
    fields: [
      ...meetingFields(t, meeting),
      { label: t.t('meeting.card.status.invited'), value: t.t('meeting.card.status.people', { count: stats.invited }) },
      {
        label: t.t('meeting.card.status.answers'),
        value: t.t('meeting.card.status.answersValue', { yes: stats.yes, no: stats.no, maybe: stats.maybe, pending: stats.pending, guests }),
      },
      { label: t.t('meeting.card.status.responseRate'), value: responseRate(t, stats) },
      { label: t.t('meeting.card.status.meals'), value: meals },
      { label: t.t('meeting.card.status.rooms'), value: rooms },
      { label: t.t('meeting.card.status.checkin'), value: t.t('meeting.card.status.checkinValue', { arrived: stats.arrived, yes: stats.yes, rate }) },
      {
        label: t.t('meeting.card.status.speed'),
        value: t.t('meeting.card.status.speedValue', { current: stats.currentRate, peak: stats.peakRate, target: input.checkinTarget, ok: peakOk }),
      },
      ...(stats.cost ? [{ label: t.t('meeting.card.status.cost'), value: costValue(t, stats.cost) }] : []),
      ...(stats.lanes?.length
        ? [
            {
              label: t.t('door.card.laneRates'),
              value: laneRatesText(t, stats.lanes, input.checkinTarget),
            },
          ]
        : []),
    ],
    fallback: t.t('meeting.card.status.fallback', { id: meeting.id }),
    state: input.cancelled
      ? { status: 'cancelled', label: t.t('meeting.card.cancelled'), closed: true }
      : { status: 'live', label: t.t('meeting.card.status.updated', { at: input.updatedAt }) },
  };
}

/** `批准 ¥… · 预测 ¥… (+5.2%) · 实际 ¥… (-1.0%)`, and `已结算` once settled. */
/** Arrivals per lane per minute against the target, as the live-count card and `会议 查看` show them. */
export function laneRatesText(t: Translator, lanes: NonNullable<MeetingStats['lanes']>, target: number): string {
  return t.t('door.card.laneRatesValue', {
    lanes: lanes.map((l) => t.t('door.card.laneRate', { lane: l.lane, rate: l.perMinute, total: l.total, ok: l.perMinute >= target ? '✅' : '' })).join(' · '),
    target,
  });
}

function costValue(t: Translator, cost: CostKpi): string {
  return t.t('meeting.card.status.costValue', {
    approved: formatFen(cost.approved),
    forecast: formatFen(cost.forecast),
    forecastDeviation: formatDeviation(cost.forecastDeviation),
    actual: formatFen(cost.actual),
    actualDeviation: formatDeviation(cost.actualDeviation),
    settled: cost.settled ? t.t('meeting.card.status.costSettled') : '',
  });
}

/** Answered / people who can answer (guests without an account and no recorded answer are not counted). */
export function responseRate(t: Translator, stats: MeetingStats): string {
  const answered = stats.yes + stats.no + stats.maybe;
  const total = answered + stats.pending;
  return t.t('meeting.card.status.responseRateValue', { answered, total, rate: total === 0 ? 0 : Math.round((answered / total) * 100) });
}

export function checkinCard(t: Translator, cardId: string, meeting: MeetingView, checkedInAt: Date | null, cancelled = false): Card {
  const state = checkedInAt
    ? { status: 'checked-in', label: t.t('meeting.card.checkin.done', { at: checkedInAt }), closed: true }
    : cancelled
      ? { status: 'cancelled', label: t.t('meeting.card.cancelled'), closed: true }
      : undefined;
  return {
    id: cardId,
    title: t.t('meeting.card.checkin.title', { id: meeting.id, title: meeting.title }),
    body: t.t('meeting.card.checkin.body'),
    fields: meetingFields(t, meeting),
    actions: [{ key: CHECKIN_ACTION, label: t.t('meeting.card.checkin.action'), style: 'primary' }],
    fallback: t.t('meeting.card.checkin.fallback', { id: meeting.id }),
    ...(state ? { state } : {}),
  };
}

/**
 * A re-rendered card keeps the picture it carries (the admission code) unless it was cancelled;
 * the admission-code service alone puts pictures on or takes them off.
 */
export function keepImage(previous: Card, next: Card): Card {
  return previous.image && next.state?.status !== 'cancelled' ? { ...next, image: previous.image } : next;
}
