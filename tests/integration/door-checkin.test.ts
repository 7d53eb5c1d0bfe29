/**
 * Check-in at the door through the simulator and the scanner page's HTTP API: the QR code on the
 * attendee's card, lanes, a staff member's scanner link, every verdict, re-issue and cancellation,
 * exactly-once sync of an offline queue replayed twice, double admissions reported, lost codes,
 * mismatches, walk-ins, the lane rate on the group card and one slow-lane alert.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Card } from '../../cards/model.js';
import { signAdmission } from '../../src/services/admission.js';
import { codeOnCard as readCode } from '../support/admission-code.js';
import { startTestApp, type TestApp } from '../support/harness.js';
import type { SimMessage } from '../support/sim-client.js';

const GROUP = 'prep-group';

let t: TestApp;
let meetingId = 0;

beforeAll(async () => {
  t = await startTestApp({ HUIWU_STATUS_REFRESH_MS: '200', HUIWU_GROUP_LIMIT_PER_MINUTE: '1000', HUIWU_RECIPIENT_LIMIT_PER_MINUTE: '1000' });
});
afterAll(async () => {
  await t?.close();
});

const field = (card: Card, label: string) => card.fields?.find((f) => f.label === label)?.value ?? '';
const cursor = async (conversation: string) => (await t.sim.messages(conversation)).at(-1)?.id ?? 0;

const codeOnCard = (card: Card) => readCode(t.baseUrl, card);

interface Session {
  cookie: string;
  csrf: string;
  base: string;
}

/** Opens a scanner link the bot sent by DM and returns the signed-in session. */
async function openLink(link: string): Promise<Session> {
  const url = new URL(link);
  const res = await fetch(`${t.baseUrl}${url.pathname}`, { redirect: 'manual' });
  expect(res.status).toBe(303);
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const base = res.headers.get('location')!;
  const page = await fetch(`${t.baseUrl}${base}`, { headers: { cookie, accept: 'text/html' } });
  expect(page.status).toBe(200);
  expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
  const html = await page.text();
  const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(html)![1]!;
  return { cookie, csrf, base };
}

async function call<T = Record<string, unknown>>(s: Session, path: string, body?: unknown, csrf = true): Promise<{ status: number; body: T }> {
  const res = await fetch(`${t.baseUrl}${s.base}/api/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { cookie: s.cookie, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(csrf ? { 'x-csrf-token': s.csrf } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

let seq = 0;
const scanId = () => `test${Date.now().toString(36)}${(seq++).toString().padStart(4, '0')}`;
type Outcome = { verdict: string; person?: { name: string; vip: boolean; notes: string[] }; at?: string; lane?: string; duplicate?: boolean; doubleAdmission?: boolean };
const scan = (s: Session, code: string, id = scanId()) => call<Outcome>(s, 'scan', { scanId: id, code });

async function scannerLink(asker: string, text: string, staff: string): Promise<Session> {
  const before = await cursor(`dm-${staff}`);
  const reply = await t.sim.ask(GROUP, asker, text);
  expect(reply.text).toContain('扫码链接');
  const dm = await t.sim.nextBotMessage(`dm-${staff}`, before, (m) => m.text?.includes('扫码页') ?? false);
  return openLink(/(http\S+\/auth\/link\/\S+)/.exec(dm.text!)![1]!);
}

const codes: Record<string, string> = {};
const pictures: Record<string, string> = {};
let general: Session;
let vipDesk: Session;

describe('door check-in', () => {
  it('puts a QR admission code on a confirmed attendee’s confirmation and check-in cards', async () => {
    const created = await t.sim.ask(GROUP, 'wangfang', '会议 新建 入场演练 20分钟后 地点 一号厅');
    meetingId = Number(/#(\d+)/.exec(created.text!)![1]);
    const dms: Record<string, number> = {};
    for (const u of ['zhaolei', 'zhouting', 'wujun', 'huangmin', 'sunli']) dms[u] = await cursor(`dm-${u}`);
    await t.sim.ask(GROUP, 'wangfang', `会议 邀请 #${meetingId} @赵磊 @周婷 @吴军 @孙丽`);
    const invites: Record<string, SimMessage> = {};
    for (const u of ['zhaolei', 'zhouting', 'wujun', 'sunli']) {
      invites[u] = await t.sim.nextBotMessage(`dm-${u}`, dms[u]!, (m) => m.card?.title.startsWith(`📋 会议邀请 #${meetingId} `) ?? false);
      // No code before the answer.
      expect(invites[u]!.card!.image).toBeUndefined();
      const version = async () => (await t.app.services.db.card.findUnique({ where: { id: invites[u]!.card!.id } }))!.version;
      const before = await version();
      const answer = await t.sim.click(invites[u]!.card!.id, u, 'rsvp.yes', u === 'zhaolei' ? { dietary: 'vegetarian', accommodation: 'yes', nights: '2' } : undefined);
      expect(answer.body.accepted).toBe(true);
      // The code rides on the answer's own card update: one update (WeCom's click code is single-use).
      expect(await version()).toBe(before + 1);
    }
    const card = await t.sim.waitForCard('dm-zhaolei', invites.zhaolei!.card!.id, (c) => c.image !== undefined);
    codes.zhaolei = await codeOnCard(card);
    expect(codes.zhaolei).not.toContain('赵');
    // Check-in is open (20 minutes before the start): the check-in card carries the same code.
    const checkinCard = await t.sim.nextBotMessage('dm-zhaolei', invites.zhaolei!.id, (m) => m.card?.title.startsWith('✅ 会议签到') ?? false);
    expect(await codeOnCard(checkinCard.card!)).toBe(codes.zhaolei);
    for (const u of ['zhouting', 'wujun', 'sunli']) {
      const answered = await t.sim.waitForCard(`dm-${u}`, invites[u]!.card!.id, (c) => c.image !== undefined);
      pictures[u] = answered.image!.mediaId;
      codes[u] = await codeOnCard(answered);
    }
  }, 60_000);

  it('manages lanes and sends a staff member a personal scanner link', async () => {
    const lanes = await t.sim.ask(GROUP, 'wangfang', `签到 通道 #${meetingId}`);
    expect(lanes.text).toContain('普通：所有受邀者');
    expect((await t.sim.ask(GROUP, 'zhouting', `签到 通道 #${meetingId} 添加 贵宾`)).text).toContain('只有会议');
    expect((await t.sim.ask(GROUP, 'wangfang', `签到 通道 #${meetingId} 添加 贵宾`)).text).toContain('已添加通道「贵宾」（贵宾）');
    expect((await t.sim.ask(GROUP, 'wangfang', `签到 通道 #${meetingId} 添加 贵宾`)).text).toContain('已经有通道');
    expect((await t.sim.ask(GROUP, 'wangfang', `签到 通道 #${meetingId} 分配 贵宾 @吴军`)).text).toContain('已将 1 人分配到通道「贵宾」');
    expect((await t.sim.ask(GROUP, 'wangfang', `签到 扫码 #${meetingId} 通道 后门`)).text).toContain('没有通道「后门」');
    // Someone who is neither organizer nor staff cannot get a link.
    expect((await t.sim.ask(GROUP, 'zhangwei', `签到 扫码 #${meetingId}`)).text).toContain('工作人员可以扫码');

    general = await scannerLink('wangfang', `签到 扫码 #${meetingId} 通道 普通 @黄敏`, 'huangmin');
    vipDesk = await scannerLink('wangfang', `签到 扫码 #${meetingId} 通道 贵宾`, 'wangfang');
    // Staff may now ask for their own link again.
    expect((await t.sim.ask(GROUP, 'huangmin', `checkin scanner #${meetingId} lane 普通`)).text).toContain('scanner link');
    // English words work from everyone, and the reply is in English.
    const english = await t.sim.ask(GROUP, 'wangfang', `checkin lane #${meetingId}`);
    expect(english.text).toContain(`Check-in lanes of meeting #${meetingId}`);
    expect(english.text).toContain('贵宾 (VIP): assigned people only');
    expect((await t.sim.ask(GROUP, 'wangfang', `checkin lane #${meetingId} add Group all`)).text).toContain('everyone invited may enter here');
    expect((await t.sim.ask(GROUP, 'wangfang', `checkin lane #${meetingId} frobnicate`)).text).toContain('Usage: checkin lane');
  }, 60_000);

  it('admits a code once and refuses it the second time with when and where', async () => {
    const first = await scan(general, codes.zhaolei!);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ verdict: 'admitted', lane: '普通', person: { name: '赵*', vip: false } });
    expect(first.body.person!.notes.join(' ')).toContain('素食');
    expect(first.body.person!.notes.join(' ')).toContain('住宿 2 晚');
    const second = await scan(general, codes.zhaolei!);
    expect(second.body).toMatchObject({ verdict: 'already', lane: '普通', at: first.body.at });

    // A VIP at the VIP lane; a non-VIP at the VIP lane is sent elsewhere.
    expect((await scan(vipDesk, codes.wujun!)).body).toMatchObject({ verdict: 'admitted', person: { name: '吴*', vip: true }, lane: '贵宾' });
    expect((await scan(vipDesk, codes.sunli!)).body).toMatchObject({ verdict: 'wrong-lane' });

    // Forged, other meeting, expired.
    const tampered = codes.sunli!.slice(0, 20) + (codes.sunli![20] === 'A' ? 'B' : 'A') + codes.sunli!.slice(21);
    expect((await scan(general, tampered)).body.verdict).toBe('forged');
    expect((await scan(general, 'hello')).body.verdict).toBe('forged');
    const key = t.app.services.admissionKey;
    expect((await scan(general, signAdmission(key, { meetingId: 99999, attendeeId: 1, version: 1, expiresAt: new Date(Date.now() + 3600_000) }))).body.verdict).toBe('not-invited');
    expect((await scan(general, signAdmission(key, { meetingId, attendeeId: 1, version: 1, expiresAt: new Date(Date.now() - 60_000) }))).body.verdict).toBe('expired');

    // The group's live-count card shows the lanes' rates against 20/min.
    const status = await t.sim.waitForCard(GROUP, `mstat-${meetingId}`, (c) => field(c, '通道速度').includes('贵宾'));
    expect(field(status, '通道速度')).toMatch(/普通 0\.2 人\/分钟（已入场 1）/);
    expect(field(status, '通道速度')).toContain('目标 ≥20 人/分钟');
    // The meeting's figures (console tiles, review) rate each lane the same way.
    const meeting = (await t.app.services.meetings.get(meetingId))!;
    const rate = (await t.app.services.meetingKpis.compute(meeting, new Date())).kpis.find((k) => k.id === 'checkinRate')!;
    expect(rate.parts.find((p) => p.label === '普通')).toMatchObject({ value: 0.2, unit: 'perMinute', status: 'red' });
    expect(rate.parts.some((p) => p.label === '贵宾')).toBe(true);
    // And `会议 查看` says them in words.
    const shown = await t.sim.ask(GROUP, 'wangfang', `会议 查看 #${meetingId}`);
    expect(shown.text).toMatch(/通道速度：.*普通 0\.2 人\/分钟（已入场 1）.*（目标 ≥20 人\/分钟）/);
  }, 60_000);

  it('revokes a re-issued code, and a cancelled answer’s code stops working', async () => {
    const before = codes.zhouting!;
    const reissued = await t.sim.ask(GROUP, 'wangfang', `签到 重发 #${meetingId} @周婷`);
    expect(reissued.text).toContain('已为周婷重发入场码（第 2 版）');
    const attendee = await t.app.services.rsvp.attendeeFor(meetingId, 'simulator:zhouting');
    const invite = await t.sim.waitForCard('dm-zhouting', `inv-m${meetingId}-a${attendee!.id}`, (c) => c.image !== undefined && c.image.mediaId !== pictures.zhouting);
    const now = await codeOnCard(invite);
    expect(now).not.toBe(before);
    // The check-in card shows the new code too.
    expect(await codeOnCard(await t.sim.waitForCard('dm-zhouting', `ci-m${meetingId}-a${attendee!.id}`, (c) => c.image?.mediaId === invite.image!.mediaId))).toBe(now);
    expect((await scan(general, before)).body.verdict).toBe('revoked');

    expect((await t.sim.click(invite.id, 'zhouting', 'rsvp.no')).body.accepted).toBe(true);
    await t.sim.waitForCard('dm-zhouting', invite.id, (c) => c.image === undefined);
    expect((await scan(general, now)).body.verdict).toBe('cancelled');
  }, 60_000);

  it('refuses people who are not staff, requests without a session and writes without the CSRF token', async () => {
    const link = await t.app.services.pageAccess.issueLink('simulator:zhangwei', general.base);
    const stranger = await fetch(`${t.baseUrl}${new URL(link).pathname}`, { redirect: 'manual' });
    const cookie = stranger.headers.get('set-cookie')!.split(';')[0]!;
    const page = await fetch(`${t.baseUrl}${general.base}`, { headers: { cookie, accept: 'text/html' } });
    expect(page.status).toBe(403);
    expect((await fetch(`${t.baseUrl}${general.base}/api/roster`)).status).toBe(401);
    const noCsrf = await call(general, 'scan', { scanId: scanId(), code: codes.sunli }, false);
    expect(noCsrf.status).toBe(403);
    expect((await call(general, 'scan', { scanId: 'x', code: codes.sunli })).status).toBe(400);
  });

  it('syncs an offline queue exactly once when it is replayed twice, and reports double admissions', async () => {
    const signed = await call<{ body: string; sig: string }>(general, 'roster');
    // Signed by the server (the page checks it with the public key in the page); a changed byte fails.
    const signer = t.app.services.door.rosterSigner;
    expect(signer.verify(signed.body.body, signed.body.sig)).toBe(true);
    expect(signer.verify(signed.body.body.replace('孙*', '孙**'), signed.body.sig)).toBe(false);
    const roster = JSON.parse(signed.body.body) as { entries: Array<{ a: number; tag: string; name: string }> };
    const sunli = await t.app.services.rsvp.attendeeFor(meetingId, 'simulator:sunli');
    expect(roster.entries.find((e) => e.a === sunli!.id)?.name).toBe('孙*');
    expect(roster.entries.every((e) => e.tag.length === 22)).toBe(true);

    const organizerDm = await cursor('dm-wangfang');
    // Offline: this device admitted 孙丽 and, by mistake, 赵磊 again (admitted online before).
    const queue = [
      { scanId: scanId(), code: codes.sunli, at: new Date(Date.now() - 30_000).toISOString(), localVerdict: 'admitted' },
      { scanId: scanId(), code: codes.zhaolei, at: new Date(Date.now() - 20_000).toISOString(), localVerdict: 'admitted' },
      { scanId: scanId(), code: codes.sunli, at: new Date(Date.now() - 10_000).toISOString(), localVerdict: 'already' },
    ];
    const first = await call<{ outcomes: Outcome[] }>(general, 'sync', { scans: queue });
    expect(first.body.outcomes.map((o) => o.verdict)).toEqual(['admitted', 'already', 'already']);
    expect(first.body.outcomes.map((o) => Boolean(o.doubleAdmission))).toEqual([false, true, false]);
    const again = await call<{ outcomes: Outcome[] }>(general, 'sync', { scans: queue });
    expect(again.body.outcomes.map((o) => o.verdict)).toEqual(['admitted', 'already', 'already']);
    expect(again.body.outcomes.every((o) => o.duplicate)).toBe(true);

    const rows = await t.app.services.db.checkinScan.findMany({ where: { scanId: { in: queue.map((q) => q.scanId) } } });
    expect(rows).toHaveLength(3);
    const admitted = await t.app.services.db.attendee.findUnique({ where: { id: sunli!.id } });
    // Admitted at the time the device scanned, not at the sync.
    expect(admitted!.checkedInAt!.toISOString()).toBe(queue[0]!.at);
    const report = await t.sim.nextBotMessage('dm-wangfang', organizerDm, (m) => m.text?.includes('重复放行') ?? false);
    expect(report.text).toContain('赵*');
    // Reported once, not again for the replay.
    const reports = (await t.sim.messages('dm-wangfang', organizerDm)).filter((m) => m.text?.includes('重复放行'));
    expect(reports).toHaveLength(1);
  }, 60_000);

  it('handles a lost code by name or phone digits, a mismatch and a walk-in, and audits each', async () => {
    const zhou = await t.app.services.rsvp.attendeeFor(meetingId, 'simulator:zhouting');
    // 周婷 answered no; an organizer records yes again for the test of a lost phone.
    await t.sim.ask(GROUP, 'wangfang', `会议 回复 #${meetingId} @周婷 参加`);
    await t.app.services.db.attendee.update({ where: { id: zhou!.id }, data: { phoneEnc: t.app.services.pii.encrypt('13812345678') } });
    const byPhone = await call<{ hits: Array<{ id: number; name: string }> }>(general, 'search?q=5678');
    expect(byPhone.body.hits.map((h) => h.name)).toEqual(['周婷']);
    expect((await t.app.services.db.attendee.findUnique({ where: { id: zhou!.id } }))!.phoneTailHash).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect((await call<{ hits: unknown[] }>(general, 'search?q=0000')).body.hits).toEqual([]);
    expect((await call<{ hits: Array<{ name: string }> }>(general, `search?q=${encodeURIComponent('周')}`)).body.hits.map((h) => h.name)).toEqual(['周婷']);

    const noReason = await call(general, 'manual', { scanId: scanId(), attendeeId: zhou!.id, reason: ' ' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error).toContain('请填写原因');
    const manual = await call<Outcome>(general, 'manual', { scanId: scanId(), attendeeId: zhou!.id, reason: '手机没电，核对身份证' });
    expect(manual.body.verdict).toBe('admitted');
    const audit = await t.app.services.db.checkinScan.findFirst({ where: { attendeeId: zhou!.id, kind: 'manual' } });
    expect(audit).toMatchObject({ reason: '手机没电，核对身份证', deviceUser: 'simulator:huangmin', verdict: 'admitted' });

    // Details do not match: refused, and a follow-up task goes to the organizer.
    const sunli = await t.app.services.rsvp.attendeeFor(meetingId, 'simulator:sunli');
    const mismatch = await call<{ outcome: Outcome; taskId: number }>(general, 'mismatch', { scanId: scanId(), attendeeId: sunli!.id, admit: false, reason: '证件姓名不符' });
    expect(mismatch.body.outcome.verdict).toBe('refused');
    const task = await t.app.services.db.task.findUnique({ where: { id: mismatch.body.taskId } });
    expect(task).toMatchObject({ assigneeId: 'simulator:wangfang', meetingId });
    expect(task!.title).toContain('证件姓名不符');

    // A walk-in: the group card, refused to a non-organizer, approved by the organizer.
    const groupBefore = await cursor(GROUP);
    const walkin = await call<{ id: number }>(general, 'walkin', { name: '钱多多', note: '合作方' });
    const card = await t.sim.nextBotMessage(GROUP, groupBefore, (m) => m.card?.id === `walkin-${walkin.body.id}`);
    expect(card.card!.body).toContain('钱多多');
    expect((await call<{ status: string }>(general, `walkin/${walkin.body.id}`)).body.status).toBe('pending');
    const notOrganizer = await t.sim.click(card.card!.id, 'zhaolei', 'door.walkin.approve');
    expect(notOrganizer.body.accepted).toBe(false);
    expect((await t.sim.click(card.card!.id, 'wangfang', 'door.walkin.approve')).body.accepted).toBe(true);
    expect((await call<{ status: string }>(general, `walkin/${walkin.body.id}`)).body.status).toBe('approved');
    const guest = await t.app.services.db.attendee.findFirst({ where: { meetingId, name: '钱多多' } });
    expect(guest).toMatchObject({ response: 'yes', checkedInLane: '普通' });
    expect(await t.app.services.db.checkinScan.count({ where: { attendeeId: guest!.id, kind: 'walkin' } })).toBe(1);
    expect((await t.sim.ask(GROUP, 'wangfang', `签到 来宾 #${walkin.body.id} 拒绝`)).text).toContain('已有决定');
  }, 60_000);

  it('alerts the organizers once when a lane stays below target while people are still to arrive', async () => {
    const meeting = (await t.app.services.meetings.get(meetingId))!;
    // One more confirmed attendee still to arrive, and the lanes' admissions six minutes old.
    await t.app.services.db.attendee.create({ data: { meetingId, name: '李四', response: 'yes', invitedBy: 'simulator:wangfang' } });
    await t.app.services.db.attendee.updateMany({ where: { meetingId, checkedInAt: { not: null } }, data: { checkedInAt: new Date(Date.now() - 6 * 60_000) } });
    const before = await cursor('dm-wangfang');
    expect(await t.app.services.door.alerts.checkSlowLanes(meeting, new Date())).toEqual(['普通', '贵宾']);
    expect(await t.app.services.door.alerts.checkSlowLanes(meeting, new Date())).toEqual(['普通', '贵宾']);
    const alert = await t.sim.nextBotMessage('dm-wangfang', before, (m) => m.text?.includes('低于目标') ?? false);
    expect(alert.text).toContain('签到 通道');
    await t.sim.nextBotMessage('dm-wangfang', alert.id, (m) => m.text?.includes('「贵宾」') ?? false);
    const alerts = (await t.sim.messages('dm-wangfang', before)).filter((m) => m.text?.includes('低于目标'));
    expect(alerts).toHaveLength(2);
  }, 30_000);
});
