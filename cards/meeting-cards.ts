/** Meeting cards: the invitation (RSVP), the organizers' live-count card and the check-in card. */
import type { Card, CardField } from './model.js';

export const RSVP_ACTIONS = { yes: 'rsvp.yes', no: 'rsvp.no', maybe: 'rsvp.maybe' } as const;
export const CHECKIN_ACTION = 'checkin.self';

export const RESPONSE_LABEL: Record<string, string> = { yes: '参加', no: '不参加', maybe: '待定', pending: '未回复' };
export const DIETARY_LABEL: Record<string, string> = { none: '无', vegetarian: '素食', halal: '清真', other: '过敏或其他' };

export interface MeetingView {
  id: number;
  title: string;
  /** Formatted `YYYY-MM-DD HH:mm[~HH:mm]`. */
  time: string;
  venue: string | null;
  organizers: string;
}

export interface AnswerView {
  response: string;
  dietary: string | null;
  dietaryNote: string | null;
  accommodation: boolean | null;
  nights: number | null;
  note: string | null;
}

function meetingFields(m: MeetingView): CardField[] {
  return [
    { label: '时间', value: m.time },
    { label: '地点', value: m.venue ?? '待定' },
    { label: '组织者', value: m.organizers },
  ];
}

/** One line describing a recorded answer, e.g. `参加 · 素食 · 住宿 2 晚 · 备注：晚到`. */
export function describeAnswer(a: AnswerView): string {
  const parts = [RESPONSE_LABEL[a.response] ?? a.response];
  if (a.response !== 'no') {
    if (a.dietary) parts.push(`餐食：${DIETARY_LABEL[a.dietary] ?? a.dietary}${a.dietaryNote ? `（${a.dietaryNote}）` : ''}`);
    if (a.accommodation !== null) parts.push(a.accommodation ? `住宿 ${a.nights ?? 1} 晚` : '不住宿');
  }
  if (a.note) parts.push(`备注：${a.note}`);
  return parts.join(' · ');
}

export interface InviteCardInput {
  cardId: string;
  meeting: MeetingView;
  attendeeName: string;
  answer: AnswerView | null;
  /** `YYYY-MM-DD HH:mm` until which answers can change. */
  cutoff: string;
  closedReason?: string;
}

export function inviteCard(input: InviteCardInput): Card {
  const { meeting, answer } = input;
  const card: Card = {
    id: input.cardId,
    title: `📋 会议邀请 #${meeting.id} ${meeting.title}`,
    body: `${input.attendeeName}，您好！诚邀您参加本次会议，请确认是否参加，并填写餐食与住宿需求。`,
    fields: meetingFields(meeting),
    inputs: [
      {
        key: 'dietary',
        label: '餐食',
        kind: 'select',
        options: Object.entries(DIETARY_LABEL).map(([value, label]) => ({ value, label })),
        value: answer?.dietary ?? 'none',
      },
      { key: 'dietaryNote', label: '过敏或其他说明', kind: 'text', placeholder: '如：花生过敏', value: answer?.dietaryNote ?? '' },
      {
        key: 'accommodation',
        label: '住宿',
        kind: 'select',
        options: [
          { value: 'no', label: '不需要' },
          { value: 'yes', label: '需要' },
        ],
        value: answer?.accommodation ? 'yes' : 'no',
      },
      { key: 'nights', label: '住宿晚数', kind: 'number', value: String(answer?.nights ?? 1) },
      { key: 'note', label: '备注', kind: 'text', placeholder: '选填', value: answer?.note ?? '' },
    ],
    actions: [
      { key: RSVP_ACTIONS.yes, label: '参加', style: 'primary' },
      { key: RSVP_ACTIONS.no, label: '不参加', style: 'danger' },
      { key: RSVP_ACTIONS.maybe, label: '待定' },
    ],
    fallback: `也可回复：会议 回复 #${meeting.id} 参加|不参加|待定 [素食|清真|无] [住宿2晚] [备注 …]`,
  };
  if (input.closedReason) {
    card.state = { status: 'closed', label: input.closedReason, closed: true };
  } else if (answer && answer.response !== 'pending') {
    card.state = { status: `answered-${answer.response}`, label: `已回复：${describeAnswer(answer)}（${input.cutoff} 前可修改）` };
  }
  return card;
}

export interface MeetingStats {
  invited: number;
  yes: number;
  no: number;
  maybe: number;
  pending: number;
  meals: Record<string, number>;
  /** Rooms needed per night: index 0 is the first night. */
  roomsByNight: number[];
  arrived: number;
  /** Check-ins in the last five minutes, per minute. */
  currentRate: number;
  /** Highest check-ins in any one minute. */
  peakRate: number;
}

export interface StatusCardInput {
  cardId: string;
  meeting: MeetingView;
  stats: MeetingStats;
  cancelled: boolean;
  updatedAt: string;
  checkinTarget: number;
}

export function statusCard(input: StatusCardInput): Card {
  const { meeting, stats } = input;
  const meals = Object.entries(DIETARY_LABEL)
    .map(([key, label]) => `${label} ${stats.meals[key] ?? 0}`)
    .join(' / ');
  const rooms = stats.roomsByNight.length === 0 ? '无' : stats.roomsByNight.map((n, i) => `第${i + 1}晚 ${n} 间`).join(' / ');
  const rate = stats.yes === 0 ? 0 : Math.round((stats.arrived / stats.yes) * 1000) / 10;
  const peakOk = stats.peakRate >= input.checkinTarget ? '✅' : '';
  const card: Card = {
    id: input.cardId,
    title: `📊 会议 #${meeting.id} ${meeting.title} · 实时统计`,
    fields: [
      ...meetingFields(meeting),
      { label: '邀请', value: `${stats.invited} 人` },
      { label: '回复', value: `参加 ${stats.yes} · 不参加 ${stats.no} · 待定 ${stats.maybe} · 未回复 ${stats.pending}` },
      { label: '餐食（参加者）', value: meals },
      { label: '住宿', value: rooms },
      { label: '签到', value: `${stats.arrived}/${stats.yes}（${rate}%）` },
      { label: '签到速度', value: `当前 ${stats.currentRate} 人/分钟 · 峰值 ${stats.peakRate} 人/分钟（目标 ≥${input.checkinTarget}）${peakOk}` },
    ],
    fallback: `催办未回复者：会议 催办 #${meeting.id}；查看详情：会议 查看 #${meeting.id}`,
    state: { status: input.cancelled ? 'cancelled' : 'live', label: input.cancelled ? '🚫 会议已取消' : `更新于 ${input.updatedAt}`, closed: input.cancelled },
  };
  return card;
}

export function checkinCard(cardId: string, meeting: MeetingView, checkedInAt: string | null): Card {
  return {
    id: cardId,
    title: `✅ 会议签到 #${meeting.id} ${meeting.title}`,
    body: '到达会场后请点击「签到」。',
    fields: meetingFields(meeting),
    actions: [{ key: CHECKIN_ACTION, label: '签到', style: 'primary' }],
    fallback: `也可回复：签到 #${meeting.id}`,
    ...(checkedInAt ? { state: { status: 'checked-in', label: `已签到 ${checkedInAt}`, closed: true } } : {}),
  };
}
