/**
 * Every KPI of a scripted meeting, computed by the real service over a real SQLite database:
 * the values, the targets, the green/amber/red statuses and the figures of "how it was computed".
 * The rows are written with fixed times so each figure can be worked out by hand (in the comments).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeetingKpiService, type Kpi, type MeetingKpis } from '../../src/services/meeting-kpis.js';
import type { MeetingRow } from '../../src/services/meetings.js';
import { startTestApp, type TestApp } from '../support/harness.js';

let t: TestApp;
let meeting: MeetingRow;
let kpis: MeetingKpis;
const NOW = new Date('2026-12-01T02:00:00Z');
const min = (n: number) => new Date(NOW.getTime() + n * 60_000);
const kpi = (id: string): Kpi => kpis.kpis.find((k) => k.id === id)!;
const GROUP = 'simulator:prep-group';

beforeAll(async () => {
  // A small desk: 4 check-ins a minute is the target, so this meeting's peak can be rated.
  t = await startTestApp({ HUIWU_CHECKIN_TARGET_PER_MINUTE: '4' });
  const db = t.app.services.db;
  // Started 30 minutes ago.
  meeting = await db.meeting.create({ data: { title: '年度大会', startAt: min(-30), endAt: min(120), conversationId: GROUP, creatorId: 'simulator:wangfang', organizerIds: '["simulator:wangfang"]', organizers: { create: { userId: 'simulator:wangfang' } } } });

  // 20 invited: 12 yes, 3 no, 2 maybe, 2 pending with an account, 1 without one.
  const answers = [...Array(12).fill('yes'), ...Array(3).fill('no'), ...Array(2).fill('maybe'), 'pending', 'pending', 'pending'];
  // 10 of the 12 confirmed checked in: 4 in minute -20, 3 in minute -19, 2 in minute -14, 1 a minute ago.
  const checkins = [-20, -20, -20, -20, -19, -19, -19, -14, -14, -1].map((m) => new Date(min(m).getTime() + 10_000));
  for (const [i, response] of answers.entries()) {
    await db.attendee.create({
      data: { meetingId: meeting.id, userId: i === 19 ? null : `simulator:guest${i}`, name: `来宾${i}`, response, invitedBy: 'simulator:wangfang', checkedInAt: checkins[i] ?? null },
    });
  }

  // Checklist: 行政部 A on time, D not due yet; 信息技术部 B done late, C overdue and open, E done early (due later).
  const item = (key: string, department: string, due: number, status: string, done: number | null) =>
    db.task.create({ data: { title: key, creatorId: 'simulator:wangfang', department, meetingId: meeting.id, conversationId: GROUP, dueAt: min(due), status, doneAt: done === null ? null : min(done), checklistKey: key } });
  await item('A', '行政部', -120, 'done', -130);
  await item('D', '行政部', 60, 'open', null);
  await item('B', '信息技术部', -120, 'done', -100);
  await item('C', '信息技术部', -60, 'accepted', null);
  await item('E', '信息技术部', 30, 'done', -10);

  // Satisfaction: 3 asked, 2 answered [5,4,3] and [4,5,3] -> 总体 4.5, 会场 4.5, 餐饮 3.
  const survey = await db.survey.create({ data: { meetingId: meeting.id, audience: 'checked-in', dimensions: JSON.stringify(['总体满意度', '会场', '餐饮']), deadlineAt: min(60), createdBy: 'simulator:wangfang' } });
  for (const u of ['a', 'b', 'c']) await db.surveyRecipient.create({ data: { surveyId: survey.id, userId: `simulator:${u}` } });
  await db.surveyResponse.create({ data: { id: 'r1', surveyId: survey.id, ratings: '[5,4,3]' } });
  await db.surveyResponse.create({ data: { id: 'r2', surveyId: survey.id, ratings: '[4,5,3]' } });

  // Incidents: resolved (claimed after 2 min, resolved after 20), claimed after 4 min, and a P3
  // open for 30 min (its claim deadline is 15 min: overdue).
  const incident = (createdAt: Date, status: string, ackedAt: Date | null, resolvedAt: Date | null) =>
    db.incident.create({ data: { meetingId: meeting.id, conversationId: GROUP, type: '设备', severity: 3, description: 'x', reporterId: 'simulator:zhaolei', status, createdAt, ackedAt, resolvedAt } });
  await incident(min(-60), 'resolved', min(-58), min(-40));
  await incident(min(-20), 'acknowledged', min(-16), null);
  await incident(min(-30), 'open', null, null);

  kpis = await t.app.services.meetingKpis.compute(meeting, NOW);
}, 60_000);

afterAll(async () => {
  await t?.close();
});

describe('meeting KPIs', () => {
  it('preparation: items done on time / items due, overall and per department, against 98%', () => {
    const prep = kpi('prep');
    // Due: A, B, C, E (D is not due); on time: A, E.
    expect(prep).toMatchObject({ value: 0.5, target: 0.98, status: 'red' });
    expect(prep.how[0]).toMatchObject({ key: 'console.how.prep', params: { onTime: 2, due: 4, rate: '50%', target: '98%', amber: '88%' } });
    expect(prep.how[1]!.params).toEqual({ late: 1, overdueOpen: 1, notDue: 1 });
    expect(prep.parts.map((p) => [p.label, p.value === null ? null : Math.round(p.value * 1000) / 1000, p.status])).toEqual([
      ['行政部', 1, 'green'],
      ['信息技术部', 0.333, 'red'],
    ]);
  });

  it('RSVP: answered of invited, with attending, declined, maybe, pending and no account', () => {
    const rsvp = kpi('rsvp');
    expect(rsvp).toMatchObject({ value: 17 / 20, target: 0.9, status: 'amber' });
    expect(rsvp.how[0]!.params).toMatchObject({ answered: 17, invited: 20, rate: '85%' });
    expect(rsvp.parts.map((p) => [p.labelKey, p.value])).toEqual([
      ['console.part.attending', 12],
      ['console.part.declined', 3],
      ['console.part.maybe', 2],
      ['console.part.pending', 2],
      ['console.part.noAccount', 1],
    ]);
  });

  it('arrivals: checked in of confirmed once the meeting started', () => {
    const arrival = kpi('arrival');
    expect(arrival).toMatchObject({ value: 10 / 12, status: 'amber' });
    expect(arrival.how[0]!.params).toMatchObject({ arrived: 10, confirmed: 12, rate: '83.3%' });
  });

  it('check-in speed: the peak minute against the target, and the last 5 minutes now', () => {
    const rate = kpi('checkinRate');
    expect(rate).toMatchObject({ value: 4, target: 4, status: 'green' });
    expect(rate.how[0]!.params).toMatchObject({ peak: 4, at: min(-20), target: 4, amber: 3 });
    // One check-in in the last five minutes: 0.2 a minute.
    expect(rate.parts.map((p) => [p.labelKey, p.value])).toEqual([
      ['console.part.rateNow', 0.2],
      ['console.part.ratePeak', 4],
    ]);
  });

  it('satisfaction: the overall dimension against 4.5, and each dimension', () => {
    const s = kpi('satisfaction');
    expect(s).toMatchObject({ value: 4.5, target: 4.5, status: 'green' });
    expect(s.how[0]).toMatchObject({ key: 'console.how.satisfactionOverall', params: { responses: 2, recipients: 3, name: '总体满意度' } });
    expect(s.parts.map((p) => [p.label, p.value, p.status])).toEqual([
      ['总体满意度', 4.5, 'green'],
      ['会场', 4.5, 'green'],
      ['餐饮', 3, 'red'],
    ]);
  });

  it('incidents: open ones (red with one past its claim deadline), MTTA and MTTR', () => {
    const i = kpi('incidents');
    expect(i).toMatchObject({ value: 2, target: 0, status: 'red' });
    expect(i.how[0]!.params).toEqual({ total: 3, open: 2, overdue: 1, severe: 0 });
    // MTTA (2 + 4) / 2 = 3 min; MTTR 20 min.
    expect(i.parts.map((p) => [p.labelKey, p.value])).toEqual([
      ['console.part.total', 3],
      ['console.part.mtta', 3 * 60_000],
      ['console.part.mttr', 20 * 60_000],
    ]);
  });

  it('cost: "no budget yet" until a budget exists, then the deviation against ±5%', async () => {
    expect(kpi('cost')).toMatchObject({ value: null, status: 'none', how: [{ key: 'console.how.costNone' }] });
    const s = t.app.services;
    const withBudget = new MeetingKpiService(s.db, s.config, s.checklists, s.surveys, s.incidents, { costDeviation: async () => ({ budget: 10_000, actual: 10_800, deviation: 0.08 }) });
    const cost = (await withBudget.compute(meeting, NOW)).kpis.find((k) => k.id === 'cost')!;
    expect(cost).toMatchObject({ value: 0.08, target: 0.05, status: 'amber' });
    expect(cost.how[0]!.params).toMatchObject({ actual: '¥108.00', budget: '¥100.00', deviation: '8%' });
  });

  it('series for the charts: arrivals per 5 minutes, the funnel, dimensions, incidents per hour', () => {
    const { series } = kpis;
    // Slots from 01:40 (minute -20) to 01:55 (minute -1): 7, 2, 0, 1.
    expect(series.arrivals.map((b) => [b.at.toISOString().slice(11, 16), b.count])).toEqual([
      ['01:40', 7],
      ['01:45', 2],
      ['01:50', 0],
      ['01:55', 1],
    ]);
    expect(series.funnel).toEqual({ invited: 20, answered: 17, attending: 12, arrived: 10 });
    expect(series.dimensions.map((d) => d.average)).toEqual([4.5, 4.5, 3]);
    // 01:00-02:00: three reported, two still open at 02:00; 02:00 (now): none new, two open.
    expect(series.incidents.map((h) => [h.at.toISOString().slice(11, 16), h.reported, h.open])).toEqual([
      ['01:00', 3, 2],
      ['02:00', 0, 2],
    ]);
  });

  it('before the start: arrivals and an unmeasurable check-in speed are not rated', async () => {
    const early = await t.app.services.meetingKpis.compute({ ...meeting, startAt: min(60) }, NOW);
    expect(early.kpis.find((k) => k.id === 'arrival')).toMatchObject({ status: 'none', how: [{}, { key: 'console.how.arrivalNotStarted' }] });
    const empty = await t.app.services.db.meeting.create({ data: { title: '空会', startAt: min(60), conversationId: GROUP, creatorId: 'simulator:wangfang', organizerIds: '["simulator:wangfang"]', organizers: { create: { userId: 'simulator:wangfang' } } } });
    const none = await t.app.services.meetingKpis.compute(empty, NOW);
    expect(none.kpis.map((k) => [k.id, k.value, k.status])).toEqual([
      ['prep', null, 'none'],
      ['rsvp', null, 'none'],
      ['arrival', null, 'none'],
      ['checkinRate', null, 'none'],
      ['satisfaction', null, 'none'],
      ['incidents', 0, 'green'],
      ['cost', null, 'none'],
    ]);
  });
});
