/**
 * Incidents end to end through the simulator: routing to on-duty responders, escalation when
 * nobody acknowledges (backups, organizers, executives), no escalation after acknowledgement,
 * status-update reminders, the executives' P1 card, refusals, the report card, complaints with
 * the satisfaction check, the timeline, the review with its durations, and per-meeting figures.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Card } from '../../cards/model.js';
import { translator } from '../../src/i18n/translator.js';
import { formatDuration as formatIn } from '../../src/services/incidents.js';
import { formatDateTime } from '../../src/time/zoned.js';
import { startTestApp, type TestApp } from '../support/harness.js';
import type { SimMessage } from '../support/sim-client.js';

const GROUP = 'prep-group';
let t: TestApp;
let meetingId: number;
const formatDuration = (ms: number) => formatIn(translator('zh-CN', t.app.services.config.HUIWU_TIMEZONE), ms);

beforeAll(async () => {
  // P1 escalates every 3 s, P2 every 4 s; owners of P1/P2 are asked for an update every 2 s.
  // The whole file talks in one group: more than the platforms' per-group send limits, which are not under test here.
  t = await startTestApp({ HUIWU_INCIDENT_ACK_DEADLINES: '3s,4s,15m,60m', HUIWU_INCIDENT_UPDATE_INTERVAL: '2s', HUIWU_RECIPIENT_LIMIT_PER_MINUTE: '1000', HUIWU_GROUP_LIMIT_PER_MINUTE: '10000' });
  const created = await t.sim.ask(GROUP, 'wangfang', '会议 新建 年会 1小时后 地点 主会场');
  meetingId = idOf(created);
  expect((await t.sim.ask(GROUP, 'wangfang', '事件 值班 设备 @刘洋')).text).toContain(`会议 #${meetingId}「年会」「设备」值班响应人：刘洋`);
  expect((await t.sim.ask(GROUP, 'wangfang', '事件 备岗 设备 @周婷')).text).toContain('备岗响应人：周婷');
});
afterAll(async () => {
  await t?.close();
});

const idOf = (m: SimMessage) => Number(/#(\d+)/.exec(m.text ?? '')![1]);
const field = (card: Card, label: string) => card.fields?.find((f) => f.label === label)?.value ?? '';
const cursor = async (conversation: string) => (await t.sim.messages(conversation)).at(-1)?.id ?? 0;
const urgentAbout = (id: number) => (m: SimMessage) => (m.text?.startsWith('🚨【紧急】') ?? false) && m.text!.includes(`事件 #${id} `);
const dmCard = (id: number, user: string) => `inc-${id}-u-simulator_${user}`;

async function report(from: string, text: string): Promise<number> {
  const reply = await t.sim.ask(GROUP, from, text);
  expect(reply.text).toContain('已上报事件');
  return idOf(reply);
}

describe('incidents', () => {
  it('routes a P1 to the responders, escalates while nobody acknowledges, stops once acknowledged, and reviews it', async () => {
    const before = { group: await cursor(GROUP), liuyang: await cursor('dm-liuyang'), zhouting: await cursor('dm-zhouting'), wangfang: await cursor('dm-wangfang'), lizong: await cursor('dm-lizong') };
    const reply = await t.sim.ask(GROUP, 'wujun', '上报 P1 主会场 设备 投影仪黑屏');
    expect(reply.text).toMatch(/已上报事件 #\d+ \[P1 设备\] 主会场：投影仪黑屏/);
    expect(reply.text).toContain(`会议：#${meetingId} 年会`);
    expect(reply.text).toContain('已通知值班响应人：刘洋');
    const id = idOf(reply);

    const groupCard = (await t.sim.nextBotMessage(GROUP, before.group, (m) => m.card?.id === `inc-${id}`)).card!;
    expect(groupCard.actions?.map((a) => a.label)).toEqual(['认领', '更新', '解决']);
    expect(field(groupCard, '级别')).toBe('P1');
    expect(groupCard.state?.status).toBe('open');
    const responderCard = (await t.sim.nextBotMessage('dm-liuyang', before.liuyang, (m) => m.card?.id === dmCard(id, 'liuyang'))).card!;
    expect(responderCard.body).toBe('投影仪黑屏');
    // Executives get the short P1 summary.
    const exec = (await t.sim.nextBotMessage('dm-lizong', before.lizong, (m) => m.card?.id === `inc-${id}-exec-simulator_lizong`)).card!;
    expect(field(exec, '状态')).toBe('待认领');

    // Left alone: the backup, then the meeting's organizer, each with an urgent notification.
    const toBackup = await t.sim.nextBotMessage('dm-zhouting', before.zhouting, urgentAbout(id), 15_000);
    expect(toBackup.text).toContain('无人认领');
    await t.sim.nextBotMessage('dm-zhouting', before.zhouting, (m) => m.card?.id === dmCard(id, 'zhouting'));
    await t.sim.nextBotMessage(GROUP, before.group, (m) => m.text?.includes(`事件 #${id} 已`) && m.text.includes('升级至备岗响应人：周婷') || false);
    await t.sim.nextBotMessage('dm-wangfang', before.wangfang, urgentAbout(id), 15_000);

    // The responder acknowledges from the DM card: the next step (executives) is cancelled.
    const ack = await t.sim.click(dmCard(id, 'liuyang'), 'liuyang', 'incident.ack');
    expect(ack.body).toMatchObject({ accepted: true });
    expect(await t.app.queues.schedule.getJob(`incident-${id}-esc-3`)).toBeUndefined();
    expect(await t.app.services.incidents.escalate({ incidentId: id, step: 3 }, new Date())).toBe('skipped');
    const acked = await t.sim.waitForCard(GROUP, `inc-${id}`, (c) => c.state?.status === 'acknowledged');
    expect(acked.state?.label).toContain('负责人 刘洋');
    expect(acked.actions?.map((a) => a.label)).toEqual(['更新', '解决']);
    expect((await t.sim.messages('dm-lizong', before.lizong)).some(urgentAbout(id))).toBe(false);

    // An update from the card reaches the executives' summary.
    const update = await t.sim.click(`inc-${id}`, 'liuyang', 'incident.update', { note: '已启用备用投影仪' });
    expect(update.body).toMatchObject({ accepted: true });
    await t.sim.waitForCard('dm-lizong', `inc-${id}-exec-simulator_lizong`, (c) => field(c, '最新进展').startsWith('已启用备用投影仪'));
    const empty = await t.sim.click(`inc-${id}`, 'liuyang', 'incident.update', { note: '' });
    expect(empty.body).toMatchObject({ accepted: false, reason: '请填写进展内容' });

    // Only responders, the owner or organizers may resolve; the reporter may not.
    const refused = await t.sim.ask(GROUP, 'wujun', `事件 解决 #${id} 好了`);
    expect(refused.text).toContain(`只有事件 #${id} 的响应人（刘洋、周婷）、负责人（刘洋）或会议组织者可以解决`);
    const resolved = await t.sim.ask(GROUP, 'liuyang', `事件 解决 ${id} 已更换投影仪灯泡`);
    expect(resolved.text).toContain(`事件 #${id} 已解决`);
    const closed = await t.sim.waitForCard(GROUP, `inc-${id}`, (c) => c.state?.status === 'resolved');
    expect(closed.state?.closed).toBe(true);
    await t.sim.waitForCard('dm-lizong', `inc-${id}-exec-simulator_lizong`, (c) => field(c, '状态') === '已解决');

    // Timeline and review with the durations taken from the recorded times.
    const timeline = await t.sim.ask(GROUP, 'wangfang', `事件 #${id}`);
    for (const word of ['吴军 上报', '系统 超时升级：升级至备岗响应人：周婷', '系统 超时升级：升级至会议组织者：王芳', '刘洋 认领', '刘洋 更新：已启用备用投影仪', '刘洋 解决：已更换投影仪灯泡']) {
      expect(timeline.text).toContain(word);
    }
    const row = (await t.app.services.incidents.get(id))!;
    expect(row.ackedAt!.getTime() - row.createdAt.getTime()).toBeGreaterThanOrEqual(6000);
    const review = await t.sim.ask(GROUP, 'wangfang', `复盘 #${id}`);
    expect(review.text).toContain(`认领时长（上报→认领）：${formatDuration(row.ackedAt!.getTime() - row.createdAt.getTime())}`);
    expect(review.text).toContain(`解决时长（上报→解决）：${formatDuration(row.resolvedAt!.getTime() - row.createdAt.getTime())}`);
    expect(review.text).toContain('升级：2 次');
    expect(review.text).toContain('处理结果：已更换投影仪灯泡');

    // Follow-up actions become tasks.
    expect((await t.sim.ask(GROUP, 'liuyang', `复盘 #${id} 行动 采购备用投影仪灯泡`)).text).toContain('后续行动 1');
    const task = await t.sim.ask(GROUP, 'liuyang', `复盘 #${id} 转任务 1 信息技术部 截止 明天下午5点`);
    expect(task.text).toContain('已创建任务');
    const taskId = idOf(task);
    expect((await t.sim.ask(GROUP, 'wangfang', `复盘 #${id}`)).text).toContain(`1. 采购备用投影仪灯泡 → 任务 #${taskId}`);
  }, 60_000);

  it('does not escalate once acknowledged, and asks the owner of a P2 for updates', async () => {
    const before = { liuyang: await cursor('dm-liuyang') };
    const id = await report('huangmin', '上报 设备 高 分会场 话筒没声音');
    await t.sim.nextBotMessage('dm-liuyang', before.liuyang, (m) => m.card?.id === dmCard(id, 'liuyang'));
    expect(await t.app.queues.schedule.getJob(`incident-${id}-esc-1`)).toBeDefined();
    expect((await t.sim.ask('dm-liuyang', 'liuyang', `事件 认领 #${id}`)).text).toContain(`你已认领事件 #${id}`);
    expect(await t.app.queues.schedule.getJob(`incident-${id}-esc-1`)).toBeUndefined();
    // Even a job that had already started re-checks the incident and does nothing.
    expect(await t.app.services.incidents.escalate({ incidentId: id, step: 1 }, new Date())).toBe('skipped');
    expect((await t.app.services.incidents.get(id))?.escalationLevel).toBe(0);
    const second = await t.sim.ask(GROUP, 'zhouting', `事件 认领 #${id}`);
    expect(second.text).toContain('已由 刘洋 认领');

    const remind = await t.sim.nextBotMessage('dm-liuyang', before.liuyang, (m) => m.text?.includes(`事件 #${id}（P2 设备）仍在处理中`) ?? false, 10_000);
    expect(remind.text).toContain(`事件 更新 #${id}`);
    await t.sim.ask(GROUP, 'liuyang', `事件 解决 #${id} 更换电池`);
    const events = await t.app.services.incidents.timeline(id);
    expect(events.map((e) => e.kind)).toEqual(['reported', 'acknowledged', 'resolved']);
  });

  it('raises severity (升级) and refuses people who are not involved, saying why', async () => {
    const id = await report('huangmin', '上报 后勤 低 茶歇区 咖啡不够');
    const notAllowed = await t.sim.ask(GROUP, 'wujun', `事件 认领 #${id}`);
    expect(notAllowed.text).toContain(`只有事件 #${id} 的响应人（未配置）、负责人或会议组织者可以认领`);
    const duty = await t.sim.ask(GROUP, 'wujun', '事件 值班 后勤 @吴军');
    expect(duty.text).toContain(`只有会议 #${meetingId} 的组织者可以配置值班`);
    expect(await t.app.services.db.incidentResponder.count({ where: { type: '后勤' } })).toBe(0);

    const raised = await t.sim.click(`inc-${id}`, 'huangmin', 'incident.raise');
    expect(raised.body).toMatchObject({ accepted: true, message: '已升级为 P3' });
    await t.sim.waitForCard(GROUP, `inc-${id}`, (c) => field(c, '级别') === 'P3');
    const resolveByStranger = await t.sim.click(`inc-${id}`, 'wujun', 'incident.resolve', { note: '已补充' });
    expect(resolveByStranger.body).toMatchObject({ accepted: false });
    expect((resolveByStranger.body as { reason: string }).reason).toContain('可以解决');
    const byOrganizer = await t.sim.click(`inc-${id}`, 'wangfang', 'incident.resolve', { note: '已补充咖啡' });
    expect(byOrganizer.body).toMatchObject({ accepted: true });
    const unknown = await t.sim.ask(GROUP, 'wangfang', '事件 #9999');
    expect(unknown.text).toContain('事件 #9999 不存在');
  });

  it('reports from the report card', async () => {
    const before = await cursor(GROUP);
    await t.sim.say(GROUP, 'chenjing', '@会务助手 上报');
    const form = (await t.sim.nextBotMessage(GROUP, before, (m) => m.card?.title === '🆘 上报事件')).card!;
    expect(form.inputs?.map((i) => i.key)).toEqual(['type', 'severity', 'location', 'description']);
    const missing = await t.sim.click(form.id, 'chenjing', 'incident.report', { type: '医疗', severity: '2', location: '3号门' });
    expect(missing.body).toMatchObject({ accepted: false, reason: '请填写描述' });
    const ok = await t.sim.click(form.id, 'chenjing', 'incident.report', { type: '医疗', severity: '2', location: '3号门', description: '嘉宾头晕' });
    expect(ok.body.accepted).toBe(true);
    const id = Number(/#(\d+)/.exec(ok.body.message ?? '')![1]);
    const card = (await t.sim.nextBotMessage(GROUP, before, (m) => m.card?.id === `inc-${id}`)).card!;
    expect(card.title).toContain('[P2 医疗] 3号门');
    await t.sim.waitForCard(GROUP, form.id, (c) => c.state?.closed === true);
    await t.sim.ask(GROUP, 'wangfang', `事件 解决 #${id} 医务室处理，已无碍`);
  });

  it('handles a complaint with its own levels and asks the complainant about the result', async () => {
    const before = await cursor('dm-huangmin');
    const reply = await t.sim.ask(GROUP, 'zhaolei', '上报 客诉 二级 大堂 @黄敏 房间未打扫');
    expect(reply.text).toContain('[二级 客诉] 大堂：房间未打扫');
    expect(reply.text).toContain('「客诉」未配置值班响应人');
    const id = idOf(reply);
    // zhaolei is an organizer by role but not of this meeting.
    expect((await t.sim.ask(GROUP, 'zhaolei', `事件 解决 #${id} 已重新打扫`)).text).toContain('可以解决');
    expect((await t.sim.ask(GROUP, 'wangfang', `事件 解决 #${id} 已重新打扫并致歉`)).text).toContain('已解决');
    const check = (await t.sim.nextBotMessage('dm-huangmin', before, (m) => m.card?.id === `inc-${id}-csat`)).card!;
    expect(check.actions?.map((a) => a.label)).toEqual(['满意', '一般', '不满意']);
    expect((await t.sim.click(check.id, 'huangmin', 'incident.csat.good')).body.accepted).toBe(true);
    await t.sim.waitForCard('dm-huangmin', check.id, (c) => c.state?.label === '已评价：满意，谢谢！');
    const review = await t.sim.ask(GROUP, 'wangfang', `复盘 #${id}`);
    expect(review.text).toContain('满意度：满意');
    expect(review.text).toContain('认领时长（上报→认领）：未认领');
  });

  it('shows per-meeting figures: counts by type and severity, mean times', async () => {
    const rows = await t.app.services.db.incident.findMany({ where: { meetingId } });
    const acked = rows.filter((r) => r.ackedAt);
    const meanAck = acked.reduce((s, r) => s + r.ackedAt!.getTime() - r.createdAt.getTime(), 0) / acked.length;
    const reply = await t.sim.ask(GROUP, 'wangfang', '事件 统计');
    expect(reply.text).toContain(`会议 #${meetingId}「年会」事件统计：共 ${rows.length} 起`);
    expect(reply.text).toContain(`设备 ${rows.filter((r) => r.type === '设备').length}`);
    expect(reply.text).toContain('客诉 1');
    expect(reply.text).toContain(`P1 ${rows.filter((r) => r.severity === 1).length}`);
    expect(reply.text).toContain(`平均认领时长：${formatDuration(meanAck)}`);
  });

  it('works in English: English words, English replies, cards in each reader\'s language', async () => {
    const EN = 'en-group';
    const everyone = (await t.app.services.directory.usersOfPlatform('simulator')).map((u) => u.id);
    await t.app.services.directory.upsertConversation({ platform: 'simulator', externalId: EN, name: 'Ops', type: 'group', memberIds: everyone });
    expect((await t.sim.ask(EN, 'wangfang', 'language group English')).text).toContain('English');
    expect((await t.sim.ask('dm-zhouting', 'zhouting', 'language English')).text).toContain('English');
    const duty = await t.sim.ask(EN, 'wangfang', 'incidents duty security @周婷 default');
    expect(duty.text).toBe('✅ default (all meetings), "security", on-duty responders: 周婷');

    const before = { group: await cursor(EN), zhouting: await cursor('dm-zhouting') };
    const reply = await t.sim.ask(EN, 'wujun', 'report security level 2 gate-3 unattended bag');
    expect(reply.text).toMatch(/^🚨 Incident #\d+ reported \[P2 security\] gate-3: unattended bag\nOn-duty responders notified: 周婷 \(escalated step by step if nobody claims it within 4s\)$/);
    const id = idOf(reply);
    const groupCard = (await t.sim.nextBotMessage(EN, before.group, (m) => m.card?.id === `inc-${id}`)).card!;
    expect(groupCard.title).toBe(`🚨 Incident #${id} [P2 security] gate-3`);
    expect(groupCard.actions?.map((a) => a.label)).toEqual(['Claim', 'Update', 'Escalate', 'Resolve']);
    expect(field(groupCard, 'Type')).toBe('security');
    expect(groupCard.state?.label).toMatch(/^🔴 Unclaimed \(please claim by \d\d:\d\d\)$/);
    const dm = (await t.sim.nextBotMessage('dm-zhouting', before.zhouting, (m) => m.card?.id === dmCard(id, 'zhouting'))).card!;
    expect(dm.fallback).toContain(`incidents claim #${id}`);

    // Someone not involved is refused in English; the responder claims with the English word.
    expect((await t.sim.ask(EN, 'huangmin', `incidents resolve #${id} done`)).text).toBe(
      `❌ Only the responders of incident #${id} (周婷), its owner or organizers can resolve it`,
    );
    expect((await t.sim.ask(EN, 'zhouting', `incidents claim #${id}`)).text).toContain(`You claimed incident #${id}`);
    await t.sim.waitForCard(EN, `inc-${id}`, (c) => /^🟡 In progress · owner 周婷 \(claimed \d{4}-\d\d-\d\d \d\d:\d\d\)$/.test(c.state?.label ?? ''));
    expect((await t.sim.ask(EN, 'zhouting', `incidents update #${id} owner found`)).text).toBe(`📝 Incident #${id} updated: owner found`);
    expect((await t.sim.ask(EN, 'zhouting', 'incidents list')).text).toContain(`#${id} [P2 security] gate-3 unattended bag · in progress · 周婷`);
    expect((await t.sim.ask(EN, 'zhouting', `incidents escalate #${id}`)).text).toBe(`⬆️ Incident #${id} raised to P1`);
    expect((await t.sim.ask(EN, 'zhouting', `incidents resolve #${id} returned to its owner`)).text).toContain(`✅ Incident #${id} resolved: returned to its owner`);

    // The timeline is worded for its reader: English for zhouting, Chinese for wangfang in a DM.
    const en = await t.sim.ask(EN, 'zhouting', `incidents #${id}`);
    expect(en.text).toContain('吴军 reported: P2 security · gate-3 · unattended bag');
    expect(en.text).toContain('周婷 level raised: P2 → P1');
    expect(en.text).toContain('周婷 resolved: returned to its owner');
    const zh = await t.sim.ask('dm-wangfang', 'wangfang', `事件 #${id}`);
    expect(zh.text).toContain('吴军 上报：P2 安全 · gate-3 · unattended bag');
    expect(zh.text).toContain('周婷 升级级别：P2 → P1');
    const review = await t.sim.ask(EN, 'zhouting', `review #${id}`);
    expect(review.text).toContain(`📝 Incident review #${id}`);
    expect(review.text).toContain('Summary: P1 security · gate-3 · unattended bag');
    expect(review.text).toContain('Escalations: 0');
    expect((await t.sim.ask(EN, 'zhouting', `review #${id} action add a lost-and-found desk`)).text).toContain(`Follow-up action 1 recorded for incident #${id}`);

    // Complaint levels, the report card and bad input in English.
    const complaint = await t.sim.ask(EN, 'zhouting', 'report complaint level2 lobby room not cleaned');
    expect(complaint.text).toContain('[Level 2 complaint] lobby: room not cleaned');
    expect(complaint.text).toContain('No on-duty responder for "complaint"; escalating to the organizers in 15m 00s (set one up: incidents duty complaint @someone)');
    const formAt = await cursor(EN);
    await t.sim.say(EN, 'zhouting', '@Huiwu report');
    const form = (await t.sim.nextBotMessage(EN, formAt, (m) => m.card?.title === '🆘 Report an incident')).card!;
    expect(form.inputs?.find((i) => i.key === 'type')?.options?.map((o) => o.label)).toEqual(['equipment', 'security', 'medical', 'complaint', 'logistics', 'other']);
    const missing = await t.sim.click(form.id, 'zhouting', 'incident.report', { type: 'medical', severity: '3' });
    expect(missing.body).toMatchObject({ accepted: false, reason: 'Fill in the description' });
    expect((await t.sim.ask(EN, 'zhouting', 'incidents duty parking @周婷')).text).toContain('The type must be one of: equipment / security / medical / complaint / logistics / other');
    expect((await t.sim.ask(EN, 'zhouting', 'incidents frobnicate')).text).toContain('Unknown sub-command "frobnicate"');
    await t.sim.ask(EN, 'wangfang', `incidents resolve #${idOf(complaint)} cleaned`);
    await t.sim.ask(EN, 'wangfang', 'incidents duty security clear default');
    await t.sim.ask('dm-zhouting', 'zhouting', 'language default');
  }, 30_000);

  it('attaches to the meeting named with 会议 #N anywhere, else to the group\'s only current meeting (saying so), and asks when there are several', async () => {
    const G = 'gala-group';
    const everyone = (await t.app.services.directory.usersOfPlatform('simulator')).map((u) => u.id);
    await t.app.services.directory.upsertConversation({ platform: 'simulator', externalId: G, name: '晚宴筹备群', type: 'group', memberIds: everyone });
    const rehearsal = idOf(await t.sim.ask(G, 'wangfang', '会议 新建 彩排 1小时后 地点 主会场'));
    const banquet = idOf(await t.sim.ask(G, 'wangfang', '会议 新建 晚宴 明天晚上7点 地点 宴会厅'));
    const meetingOf = async (reply: SimMessage) => (await t.app.services.incidents.get(idOf(reply)))!;

    // Without 会议 #N: the one meeting running or starting within 12 hours, named so a wrong guess can be corrected.
    const implicit = await t.sim.ask(G, 'wujun', '上报 设备 P3 宴会厅 音响没声音');
    expect(implicit.text).toContain(`会议：#${rehearsal} 彩排（已关联会议 #${rehearsal}「彩排」；如不对，请在命令末尾加上 会议 #编号）`);
    expect((await meetingOf(implicit)).meetingId).toBe(rehearsal);

    // 会议 #N at the end, at the start, glued, or in English: that meeting, and the words are not part of the description.
    for (const text of [`上报 设备 P3 宴会厅 音响没声音 会议 #${banquet}`, `上报 会议 #${banquet} 设备 P3 宴会厅 音响没声音`, `上报 设备 会议#${banquet} P3 宴会厅 音响没声音`, `report equipment P3 宴会厅 音响没声音 meeting #${banquet}`]) {
      const reply = await t.sim.ask(G, 'wujun', text);
      expect(reply.text, text).toMatch(/已上报事件|Incident #\d+ reported/);
      const row = await meetingOf(reply);
      expect(row.meetingId, text).toBe(banquet);
      expect(row.description, text).toBe('音响没声音');
      expect(row.location, text).toBe('宴会厅');
    }
    expect((await t.sim.ask(G, 'wujun', `上报 设备 P3 宴会厅 音响没声音 会议 #${banquet}`)).text).toContain(`会议：#${banquet} 晚宴\n`);

    // An unknown meeting is refused and nothing is reported.
    const count = await t.app.services.db.incident.count();
    expect((await t.sim.ask(G, 'wujun', '上报 设备 P3 宴会厅 音响没声音 会议 #9999')).text).toBe('❌ 会议 #9999 不存在');

    // Two meetings within 12 hours: the command asks which one; the report card offers the choice.
    const tea = idOf(await t.sim.ask(G, 'wangfang', '会议 新建 茶歇 3小时后 地点 大堂'));
    const ambiguous = await t.sim.ask(G, 'wujun', '上报 后勤 P3 大堂 茶水不够');
    expect(ambiguous.text).toContain(`本群现在有多个会议（#${rehearsal} 彩排 / #${tea} 茶歇）`);
    expect(await t.app.services.db.incident.count()).toBe(count);
    const chosen = await t.sim.ask(G, 'wujun', `上报 后勤 P3 大堂 茶水不够 会议 #${tea}`);
    expect((await meetingOf(chosen)).meetingId).toBe(tea);

    const formAt = await cursor(G);
    await t.sim.say(G, 'wujun', '@会务助手 上报');
    const form = (await t.sim.nextBotMessage(G, formAt, (m) => m.card?.title === '🆘 上报事件')).card!;
    expect(form.inputs?.find((i) => i.key === 'meeting')?.options?.map((o) => o.value)).toEqual([String(rehearsal), String(tea)]);
    const noChoice = await t.sim.click(form.id, 'wujun', 'incident.report', { type: '后勤', severity: '3', location: '大堂', description: '缺椅子' });
    expect(noChoice.body.accepted).toBe(false);
    expect(noChoice.body.reason).toContain('本群现在有多个会议');
    const picked = await t.sim.click(form.id, 'wujun', 'incident.report', { type: '后勤', severity: '3', location: '大堂', description: '缺椅子', meeting: String(tea) });
    expect(picked.body.accepted).toBe(true);
    expect((await t.app.services.incidents.get(Number(/#(\d+)/.exec(picked.body.message ?? '')![1])))!.meetingId).toBe(tea);
  }, 30_000);

  it('reopens and escalates a complaint whose complainant answers 不满意, alerting once', async () => {
    expect((await t.sim.ask(GROUP, 'wangfang', '事件 备岗 客诉 @周婷')).text).toContain('备岗响应人：周婷');
    const reply = await t.sim.ask(GROUP, 'zhaolei', '上报 客诉 一级 大堂 @黄敏 空调太冷');
    const id = idOf(reply);
    expect((await t.sim.ask(GROUP, 'wangfang', `事件 解决 #${id} 已调高温度`)).text).toContain('已解决');
    const before = { huangmin: await cursor('dm-huangmin'), zhouting: await cursor('dm-zhouting'), wangfang: await cursor('dm-wangfang'), group: await cursor(GROUP) };
    const check = (await t.sim.nextBotMessage('dm-huangmin', 0, (m) => m.card?.id === `inc-${id}-csat`)).card!;

    expect((await t.sim.click(check.id, 'huangmin', 'incident.csat.bad')).body).toMatchObject({ accepted: true, message: '感谢评价：不满意' });
    // Reopened, recorded, and the next step (the complaint's backup) paged at once; the owner is told.
    const row = (await t.app.services.incidents.get(id))!;
    expect(row.status).toBe('open');
    expect(row.escalationLevel).toBe(1);
    await t.sim.nextBotMessage('dm-zhouting', before.zhouting, urgentAbout(id));
    await t.sim.nextBotMessage('dm-zhouting', before.zhouting, (m) => m.card?.id === dmCard(id, 'zhouting'));
    const owner = await t.sim.nextBotMessage('dm-wangfang', before.wangfang, (m) => m.text?.includes(`投诉人对客诉 #${id} 的处理结果不满意`) ?? false);
    expect(owner.text).toContain('已重新打开并升级至备岗响应人：周婷');
    await t.sim.nextBotMessage(GROUP, before.group, (m) => m.text?.includes(`客诉 #${id} 投诉人对处理结果不满意，已重新打开并升级至备岗响应人：周婷`) ?? false);
    await t.sim.waitForCard(GROUP, `inc-${id}`, (c) => c.state?.status === 'open');
    expect((await t.app.services.incidents.timeline(id)).map((e) => e.kind)).toEqual(['reported', 'resolved', 'satisfaction', 'reopened']);
    expect((await t.sim.ask(GROUP, 'wangfang', `事件 #${id}`)).text).toContain('系统 重新打开：投诉人不满意，重新打开并升级至备岗响应人：周婷');
    // Left alone, it goes on escalating at the complaint level's deadline.
    expect(await t.app.queues.schedule.getJob(`incident-${id}-r1-esc-2`)).toBeDefined();

    // Clicking again, or the same answer arriving twice, alerts nobody a second time.
    expect((await t.sim.click(check.id, 'huangmin', 'incident.csat.bad')).body.accepted).toBe(false);
    const huangmin = (await t.app.services.directory.user('simulator:huangmin'))!;
    await expect(t.app.services.incidents.recordSatisfaction((await t.app.services.incidents.get(id))!, huangmin, 'bad', new Date())).rejects.toThrow();
    expect((await t.app.services.incidents.timeline(id)).filter((e) => e.kind === 'reopened')).toHaveLength(1);
    expect((await t.sim.messages('dm-zhouting', before.zhouting)).filter(urgentAbout(id))).toHaveLength(1);
    expect((await t.sim.messages('dm-wangfang', before.wangfang)).filter((m) => m.text?.includes(`客诉 #${id} 的处理结果不满意`))).toHaveLength(1);

    // Claimed and resolved again: the complainant is asked again, and a happy answer closes it.
    expect((await t.sim.ask(GROUP, 'zhouting', `事件 认领 #${id}`)).text).toContain(`你已认领事件 #${id}`);
    expect(await t.app.queues.schedule.getJob(`incident-${id}-r1-esc-2`)).toBeUndefined();
    await t.sim.ask(GROUP, 'zhouting', `事件 解决 #${id} 已换到朝南的房间`);
    const again = (await t.sim.nextBotMessage('dm-huangmin', before.huangmin, (m) => m.card?.id === `inc-${id}-csat-2`)).card!;
    expect((await t.sim.click(again.id, 'huangmin', 'incident.csat.good')).body.accepted).toBe(true);
    expect((await t.app.services.incidents.get(id))!.status).toBe('resolved');
    expect((await t.sim.ask(GROUP, 'wangfang', `复盘 #${id}`)).text).toContain('满意度：满意');
    await t.sim.ask(GROUP, 'wangfang', '事件 值班 客诉 清除');
  }, 30_000);

  it('sends the executives\' summary to their assistants too, titles complaints as complaints, and shows the current claim deadline', async () => {
    const before = { chenjing: await cursor('dm-chenjing'), lizong: await cursor('dm-lizong') };
    const p1 = await report('wujun', '上报 安全 P1 2号门 人群拥挤');
    const assistantCard = (await t.sim.nextBotMessage('dm-chenjing', before.chenjing, (m) => m.card?.id === `inc-${p1}-exec-simulator_chenjing`)).card!;
    expect(assistantCard.title).toBe(`📣 P1 事件摘要 #${p1} 安全 · 2号门`);
    expect(field(assistantCard, '高管')).toBe('李总');
    expect(field(assistantCard, '状态')).toBe('待认领');
    await t.sim.ask(GROUP, 'wangfang', `事件 解决 #${p1} 已疏导`);
    await t.sim.waitForCard('dm-chenjing', assistantCard.id, (c) => field(c, '状态') === '已解决' && field(c, '高管') === '李总');

    const complaint = await report('zhaolei', '上报 客诉 一级 贵宾室 @黄敏 无人接待');
    const summary = (await t.sim.nextBotMessage('dm-lizong', before.lizong, (m) => m.card?.id === `inc-${complaint}-exec-simulator_lizong`)).card!;
    expect(summary.title).toBe(`📣 一级客诉摘要 #${complaint} · 贵宾室`);
    await t.sim.ask(GROUP, 'wangfang', `事件 解决 #${complaint} 已安排接待`);

    // The claim deadline shown moves with each escalation (the next one is due a deadline later).
    const p3 = await report('wujun', '上报 设备 P3 分会场 灯不亮');
    const row = (await t.app.services.incidents.get(p3))!;
    const hhmm = (at: number) => formatDateTime(new Date(at), t.app.services.config.HUIWU_TIMEZONE).slice(11);
    const deadline = t.app.services.incidents.ackDeadlineMs(row);
    await t.sim.waitForCard(GROUP, `inc-${p3}`, (c) => c.state?.label === `🔴 待认领（请在 ${hhmm(row.createdAt.getTime() + deadline)} 前认领）`);
    const later = new Date(row.createdAt.getTime() + deadline + 60_000);
    expect(await t.app.services.incidents.escalate({ incidentId: p3, step: 1 }, later)).toBe('escalated to step 1');
    const expected = `🔴 待认领（请在 ${hhmm(later.getTime() + deadline)} 前认领）`;
    await t.sim.waitForCard(GROUP, `inc-${p3}`, (c) => c.state?.label === expected);
    await t.sim.waitForCard('dm-zhouting', dmCard(p3, 'zhouting'), (c) => c.state?.label === expected);
    await t.sim.ask(GROUP, 'liuyang', `事件 解决 #${p3} 换了灯泡`);
  }, 30_000);

  it('stops showing a claim deadline once nobody is left to escalate to', async () => {
    // A platform without organizers or executives: the chain runs out after the report.
    const demoted = ['wangfang', 'zhaolei', 'lizong'];
    const saved = await t.app.services.directory.usersByIds(demoted.map((u) => `simulator:${u}`));
    const N = 'night-group';
    try {
      for (const u of saved) await t.app.services.directory.upsertUser({ platform: 'simulator', externalId: u.externalId, name: u.name, department: u.department, roles: u.roles.filter((r) => r !== 'organizer' && r !== 'executive') });
      const everyone = (await t.app.services.directory.usersOfPlatform('simulator')).map((u) => u.id);
      await t.app.services.directory.upsertConversation({ platform: 'simulator', externalId: N, name: '夜班群', type: 'group', memberIds: everyone });
      const id = idOf(await t.sim.ask(N, 'wujun', '上报 其他 P1 停车场 路灯坏了'));
      // P1 is due in 3 s; when it falls due there is nobody to page, and the card says so instead of a passed deadline.
      await t.sim.waitForCard(N, `inc-${id}`, (c) => c.state?.label === '🔴 待认领', 15_000);
      expect((await t.app.services.incidents.get(id))!.status).toBe('open');
    } finally {
      for (const u of saved) await t.app.services.directory.upsertUser({ platform: 'simulator', externalId: u.externalId, name: u.name, department: u.department, roles: u.roles });
    }
  }, 30_000);

  it('treats words such as __proto__ and constructor as plain words, everywhere input is looked up', async () => {
    for (const word of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
      const reply = await t.sim.ask(GROUP, 'wujun', `上报 ${word} 灯不亮`);
      expect(reply.text, word).toMatch(new RegExp(`已上报事件 #\\d+ \\[P3 其他\\] ${word}：灯不亮`));
      const row = (await t.app.services.incidents.get(idOf(reply)))!;
      expect([row.type, row.severity, row.location, row.description]).toEqual(['其他', 3, word, '灯不亮']);
      expect((await t.sim.ask(GROUP, 'wujun', `上报 设备 大堂 ${word} 灯不亮`)).text, word).toContain(`[P3 设备] 大堂：${word} 灯不亮`);
      expect((await t.sim.ask(GROUP, 'wangfang', `事件 值班 ${word} @刘洋`)).text, word).toContain('❌ 类型只能是：设备 / 安全 / 医疗 / 客诉 / 后勤 / 其他');
      expect((await t.sim.ask(GROUP, 'wangfang', `事件 ${word}`)).text, word).toContain(`❌ 不认识的子命令「${word}」`);
    }
    const formAt = await cursor(GROUP);
    await t.sim.say(GROUP, 'wujun', '@会务助手 上报');
    const form = (await t.sim.nextBotMessage(GROUP, formAt, (m) => m.card?.title === '🆘 上报事件')).card!;
    expect((await t.sim.click(form.id, 'wujun', 'incident.report', { type: '__proto__', severity: '2', description: 'x' })).body.reason).toContain('请选择类型');
    expect((await t.sim.click(form.id, 'wujun', 'incident.report', { type: '设备', severity: 'constructor', description: 'x' })).body.reason).toBe('请选择级别 P1-P4');
    for (const open of await t.app.services.incidents.openIn(`simulator:${GROUP}`)) await t.sim.ask(GROUP, 'wangfang', `事件 解决 #${open.id} 已处理`, 30_000);
  }, 90_000);
});

