/**
 * Budget, expenses, settlement and suppliers end to end through the simulator: a linked meal line
 * whose forecast follows the RSVPs and raises one alert when it crosses +5%, expenses with a
 * duplicate invoice refused and history kept, settlement blocked then completed with its CSV and
 * chart, the supplier registry (encrypted phone, expiry notice), and a supplier with a P1 incident
 * and low catering ratings graded C or D with a replacement task. English aliases at the end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/harness.js';
import type { SimMessage } from '../support/sim-client.js';

const GROUP = 'prep-group';
const TOKEN = 'test-admin-token-0123456789';
let t: TestApp;
let meetingId: number;
let supplierId: number;

beforeAll(async () => {
  t = await startTestApp({
    HUIWU_STATUS_REFRESH_MS: '300',
    HUIWU_ADMIN_TOKEN: TOKEN,
    HUIWU_SURVEY_AUTO: 'off',
    HUIWU_GROUP_LIMIT_PER_MINUTE: '1000',
    HUIWU_RECIPIENT_LIMIT_PER_MINUTE: '1000',
  });
});
afterAll(async () => {
  await t?.close();
});

const cursor = async (conversation: string) => (await t.sim.messages(conversation)).at(-1)?.id ?? 0;
const textWith = (...parts: string[]) => (m: SimMessage) => parts.every((p) => m.text?.includes(p) ?? false);
const idOf = (m: SimMessage, prefix = '#') => Number(new RegExp(`${prefix}(\\d+)`).exec(m.text ?? '')![1]);

/** Sends a command and waits for the reply that matches (an alert it caused may come first). */
async function askFor(conversation: string, from: string, text: string, match: (m: SimMessage) => boolean): Promise<SimMessage> {
  const id = await t.sim.say(conversation, from, conversation.startsWith('dm-') ? text : `@会务助手 ${text}`);
  return t.sim.nextBotMessage(conversation, id, match);
}

async function api(path: string, init: { method?: string; body?: string; user?: string } = {}) {
  const headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` };
  if (init.user) headers['x-huiwu-user'] = init.user;
  if (init.body !== undefined) headers['content-type'] = 'text/csv';
  const res = await fetch(`${t.baseUrl}/api${path}`, { method: init.method ?? 'GET', headers, body: init.body });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

async function answerYes(user: string, meeting: number) {
  expect((await t.sim.ask(`dm-${user}`, user, `会议 回复 #${meeting} 参加`)).text).toContain('参加');
}

const lineAlerts = async (meeting: number) => (await t.app.services.db.outboundMessage.findMany({ where: { id: { startsWith: `budget-${meeting}-l` } } })).map((m) => m.id);

describe('budget', () => {
  it('registers a supplier with an encrypted phone and announces a qualification expiring within 30 days', async () => {
    const dm = await cursor('dm-wangfang');
    const expiry = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10);
    const refused = await t.sim.ask(GROUP, 'huangmin', '供应商 登记 悦来酒店 类别 餐饮');
    expect(refused.text).toContain('只有组织者或财务部成员');
    const reply = await t.sim.ask(GROUP, 'wangfang', `供应商 登记 悦来酒店 类别 餐饮,住宿 执照 91310000MA1FL0 资质到期 ${expiry} 合同 5万 违约 迟到一次扣款5% 联系人 刘经理 13812345678`);
    expect(reply.text).toContain('已登记供应商「悦来酒店」');
    expect(reply.text).toContain('联系人 刘经理 138****5678');
    expect(reply.text).toContain('合同 ¥50,000.00');
    const row = (await t.app.services.suppliers.byName('悦来酒店'))!;
    supplierId = row.id;
    expect(row.contactPhoneEnc).toMatch(/^v1:/);
    expect(row.contactPhoneEnc).not.toContain('13812345678');
    await t.sim.nextBotMessage('dm-wangfang', dm, textWith('供应商「悦来酒店」的资质将于', '到期'));
    // Bad input changes nothing.
    expect((await t.sim.ask(GROUP, 'wangfang', '供应商 登记 坏数据 类别 餐饮 资质到期 2027-02-30')).text).toContain('日期「2027-02-30」不对');
    expect(await t.app.services.suppliers.byName('坏数据')).toBeNull();
  });

  it('follows the RSVPs on a linked meal line and raises one alert naming the line when it crosses +5%', async () => {
    const created = await t.sim.ask(GROUP, 'wangfang', '会议 新建 年会 明天下午3点 地点 主会场');
    meetingId = idOf(created);
    expect((await t.sim.ask(GROUP, 'wangfang', `会议 邀请 #${meetingId} @赵磊 @周婷 @吴军 @黄敏 @张伟`)).text).toContain('已邀请 5 人');
    const venue = await t.sim.ask(GROUP, 'wangfang', `预算 添加 #${meetingId} 场地 主会场 2万`);
    expect(venue.text).toContain(`会议 #${meetingId} 预算第 1 行：场地·主会场 ¥20,000.00 × 1 × 1天 = ¥20,000.00`);
    const meal = await t.sim.ask(GROUP, 'wangfang', `预算 添加 #${meetingId} 餐饮 午餐 80元x参加人数(3)x2天 供应商 悦来酒店`);
    expect(meal.text).toContain('预算第 2 行：餐饮·午餐 ¥80.00 × 参加人数 0（计划 3） × 2天 = ¥480.00');
    expect(meal.text).toContain('预算合计 ¥20,480.00（共 2 行）');

    const group = await cursor(GROUP);
    for (const u of ['zhaolei', 'zhouting', 'wujun']) await answerYes(u, meetingId);
    expect(await t.app.services.budget.check(meetingId)).toBe(0);
    // The fourth confirmation: ¥640.00 against ¥480.00 (+33.3%).
    await answerYes('huangmin', meetingId);
    const alert = await t.sim.nextBotMessage(GROUP, group, textWith('预算预警'));
    expect(alert.text).toContain(`会议 #${meetingId}「年会」第 2 行 餐饮·午餐 预测 ¥640.00，超出批准 ¥480.00（+33.3%`);
    expect(alert.text).toContain(`预算 说明 #${meetingId} 2 <原因>`);
    // A fifth one moves the forecast further but it is the same crossing: still one alert.
    await answerYes('zhangwei', meetingId);
    await t.sim.waitForCard(GROUP, `mstat-${meetingId}`, (c) => c.fields?.some((f) => f.label === '成本偏差' && f.value.includes('预测 ¥20,800.00')) ?? false);
    expect(await t.app.services.budget.check(meetingId)).toBe(0);
    expect(await lineAlerts(meetingId)).toEqual([`budget-${meetingId}-l${(await t.app.services.budget.line(meetingId, 2)).id}-forecast-1`]);
    // The total moved only +1.6%: no early warning.
    expect(await t.app.services.db.outboundMessage.count({ where: { id: { startsWith: `budget-${meetingId}-total` } } })).toBe(0);

    const table = await t.sim.ask(GROUP, 'wangfang', `预算 #${meetingId}`);
    expect(table.text).toContain('2. 餐饮·午餐 ¥80.00 × 参加人数 5（计划 3） × 2天');
    expect(table.text).toContain('批准 ¥480.00 · 预测 ¥800.00（+66.7%）· 实际 ¥0.00 · 尚无支出');
    expect(table.text).toContain('合计：批准 ¥20,480.00 · 预测 ¥20,800.00（+1.6%）');
    expect((await t.sim.ask(GROUP, 'wangfang', `预算 说明 #${meetingId} 2 参会人数增加`)).text).toContain('已记录会议');
    expect(await t.app.services.budget.costDeviation(meetingId)).toMatchObject({ approved: 2048000, forecast: 2080000, actual: 0 });
  });

  it('refuses bad input and strangers with the reason, and changes nothing', async () => {
    const lines = await t.app.services.db.budgetLine.count();
    const noQuantity = await t.sim.ask(GROUP, 'wangfang', `预算 添加 #${meetingId} 餐饮 晚餐 80元x`);
    expect(noQuantity.text).toContain('x 后面缺少数量或天数');
    expect(noQuantity.text).toContain('用法');
    expect((await t.sim.ask(GROUP, 'wangfang', `预算 添加 #${meetingId} 餐饮 晚餐 -80元 x 参加人数`)).text).toContain('金额不能为负');
    expect((await t.sim.ask(GROUP, 'wangfang', `预算 添加 #${meetingId} 餐饮 晚餐 八十元`)).text).toContain('不是金额');
    expect((await t.sim.ask(GROUP, 'wangfang', `预算 添加 #${meetingId} 饮料 可乐 3元`)).text).toContain('类别「饮料」不认识');
    expect((await t.sim.ask(GROUP, 'huangmin', `预算 添加 #${meetingId} 餐饮 晚餐 80元`)).text).toContain('只有会议');
    expect(await t.app.services.db.budgetLine.count()).toBe(lines);
    const expenses = await t.app.services.db.expense.count();
    expect((await t.sim.ask(GROUP, 'huangmin', `支出 #${meetingId} 1 2万`)).text).toContain('或财务部成员可以修改预算和支出');
    expect((await t.sim.ask(GROUP, 'wangfang', `支出 #${meetingId} 9 2万`)).text).toContain('没有第 9 行预算');
    expect((await t.sim.ask(GROUP, 'wangfang', `支出 #${meetingId} 1 12.345元`)).text).toContain('最多精确到分');
    expect(await t.app.services.db.expense.count()).toBe(expenses);
  });

  it('records expenses, refuses a duplicate invoice, keeps the history, and settles once nothing blocks', async () => {
    // A finance department member records them.
    const venue = await t.sim.ask(GROUP, 'wujun', `支出 #${meetingId} 场地 主会场 2万 发票 INV00001 专票 税率6%`);
    expect(venue.text).toMatch(/已记录支出 #\d+：会议 #\d+ 第 1 行 场地·主会场 ¥20,000.00/);
    const group0 = await cursor(GROUP);
    const meal = await askFor(GROUP, 'wujun', `支出 #${meetingId} 2 640元 发票 INV00002`, textWith('已记录支出'));
    // ¥640.00 against ¥480.00: the line's actual is over too, and says so once.
    await t.sim.nextBotMessage(GROUP, group0, textWith('⚠️ 超支', '第 2 行 餐饮·午餐 实际 ¥640.00'));
    const mealId = idOf(meal, '支出 #');
    expect(meal.text).toContain('结算前请补充：发票类型（专票/普票）、税率');
    const count = await t.app.services.db.expense.count();
    const duplicate = await t.sim.ask(GROUP, 'wangfang', `支出 #${meetingId} 2 160元 发票 inv00002 普票 税率6%`);
    expect(duplicate.text).toContain(`发票 INV00002 已记录在支出 #${mealId}（会议 #${meetingId}），不能重复记录`);
    expect(await t.app.services.db.expense.count()).toBe(count);

    const blockers = await t.sim.ask(GROUP, 'wangfang', `结算 #${meetingId}`);
    expect(blockers.text).toContain('还有 3 项未满足');
    expect(blockers.text).toContain('第 2 行 餐饮·午餐 发票金额 ¥640.00 与合同金额 ¥800.00 不符');
    expect(blockers.text).toContain(`支出 #${mealId}（第 2 行 ¥640.00）缺少税率或发票类型`);
    expect(blockers.text).toContain(`支出 #${mealId}（第 2 行 ¥640.00）尚未付款给 悦来酒店`);
    expect((await t.app.services.budget.settlementBlockers(meetingId)).map((b) => b.kind).sort()).toEqual(['invoice-mismatch', 'tax-missing', 'unpaid']);
    const refused = await t.sim.ask(GROUP, 'wangfang', `结算 完成 #${meetingId}`);
    expect(refused.text).toContain('不能结算');
    expect(await t.app.services.budget.settledAt(meetingId)).toBeNull();

    expect((await t.sim.ask(GROUP, 'wangfang', `支出 修改 #${mealId} 800元 普票 税率6%`)).text).toContain(`已修改：#${mealId} 第 2 行 午餐 ¥800.00 · 发票 INV00002 · 普票 · 税率 6%`);
    expect((await t.sim.ask(GROUP, 'sunli', `支出 付款 #${mealId}`)).text).toContain('已标记为已付款');
    const history = await t.sim.ask(GROUP, 'wangfang', `支出 历史 #${mealId}`);
    expect(history.text).toMatch(/吴军 记录：— → ¥640\.00 发票 INV00002/);
    expect(history.text).toMatch(/王芳 修改：¥640\.00 发票 INV00002 — 税率 — → ¥800\.00 发票 INV00002 普票 税率 6%/);
    expect(history.text).toContain('孙丽 付款');

    expect((await t.sim.ask(GROUP, 'wangfang', `结算 #${meetingId}`)).text).toContain(`可以结算：结算 完成 #${meetingId}`);
    const group = await cursor(GROUP);
    const settled = await askFor(GROUP, 'wangfang', `结算 完成 #${meetingId}`, textWith('已结算'));
    expect(settled.text).toContain(`会议 #${meetingId}「年会」已结算：批准 ¥20,480.00 · 实际 ¥20,800.00 · 成本偏差 +1.6%`);
    await t.sim.nextBotMessage(GROUP, group, textWith('结算报告：批准 ¥20,480.00，实际 ¥20,800.00，差异 +¥320.00（+1.6%）'));
    const chart = await t.sim.nextBotMessage(GROUP, group, (m) => m.image !== undefined);
    expect(chart.text).toContain('场地 批准 ¥20,000.00 实际 ¥20,000.00；餐饮 批准 ¥480.00 实际 ¥800.00');

    const csv = await api(`/meetings/${meetingId}/settlement.csv`, { user: 'simulator:wangfang' });
    expect(csv.status).toBe(200);
    expect(csv.text).toContain('2,餐饮,午餐,悦来酒店,80.00,5,2,480.00,800.00,800.00,320.00,66.7,参会人数增加');
    expect(csv.text).toContain('INV00002,普票,6%,45.28,悦来酒店');
    expect((await api(`/meetings/${meetingId}/settlement.csv`, { user: 'simulator:huangmin' })).status).toBe(403);

    // Settled: nothing changes any more; the year's deviation counts it.
    expect((await t.sim.ask(GROUP, 'wujun', `支出 #${meetingId} 1 100元`)).text).toContain('已结算');
    expect((await t.sim.ask(GROUP, 'wangfang', '预算 年度')).text).toContain('（1 个已结算会议）：批准 ¥20,480.00 · 实际 ¥20,800.00 · 偏差 +1.6%');
    expect((await t.sim.ask(GROUP, 'huangmin', '预算 年度')).text).toContain('只有组织者、财务部成员或高管可以查看年度成本偏差');
    const cost = await api(`/meetings/${meetingId}/cost-deviation`, { user: 'simulator:sunli' });
    expect(cost.json()).toMatchObject({ approved: 2048000, actual: 2080000, settled: true, year: { meetings: 1 } });
  });

  it('imports budget lines by CSV, refusing the whole file when a row is bad', async () => {
    const created = await askFor(GROUP, 'wangfang', '会议 新建 供应商大会 后天上午9点 地点 二楼', textWith('已新建会议'));
    const id = idOf(created);
    const bad = '类别,项目,单价,数量,天数,供应商,备注\n餐饮,茶歇,30元,参加人数(40),2,,\n饮料,可乐,3元,10,1,,\n住宿,标间,450元,间夜(20),1,不存在的酒店,\n交通,大巴,80元x,,,,\n';
    const refused = await api(`/meetings/${id}/budget/import`, { method: 'POST', body: bad, user: 'simulator:wangfang' });
    expect(refused.status).toBe(422);
    const errors = refused.json().errors as Array<{ row: number; error: string }>;
    expect(errors.map((e) => e.row)).toEqual([3, 4, 5]);
    expect(errors[0]!.error).toContain('类别「饮料」不认识');
    expect(errors[1]!.error).toContain('供应商「不存在的酒店」不存在');
    expect(await t.app.services.db.budgetLine.count({ where: { meetingId: id } })).toBe(0);
    const good = '类别,项目,单价,数量,天数,供应商,备注\n餐饮,茶歇,30元,参加人数(40),2,悦来酒店,上下午各一次\n场地,主会场,1.5万,1,1,,\n';
    expect((await api(`/meetings/${id}/budget/import`, { method: 'POST', body: good, user: 'simulator:sunli' })).json()).toEqual({ imported: 2 });
    expect((await api(`/meetings/${id}/budget/import`, { method: 'POST', body: good, user: 'simulator:huangmin' })).status).toBe(403);
    expect(await t.app.services.budget.costDeviation(id)).toMatchObject({ approved: 1500000 + 30 * 100 * 40 * 2 });

    // The expense card: choose the line, fill in the amount and the invoice.
    const before = await cursor(GROUP);
    await t.sim.say(GROUP, 'sunli', `@会务助手 支出 #${id}`);
    const form = (await t.sim.nextBotMessage(GROUP, before, (m) => m.card?.title.includes('记录支出') ?? false)).card!;
    expect(form.inputs?.find((i) => i.key === 'line')?.options?.map((o) => o.label)).toEqual(['1. 餐饮·茶歇', '2. 场地·主会场']);
    const stranger = await t.sim.click(form.id, 'huangmin', 'budget.expense', { line: '2', amount: '1.5万', invoice: 'CARD0001', invoiceType: 'special', taxRate: '6%' });
    expect(stranger.body).toMatchObject({ accepted: false });
    const badAmount = await t.sim.click(form.id, 'sunli', 'budget.expense', { line: '2', amount: '1.5万x', invoice: 'CARD0001', invoiceType: 'special', taxRate: '6%' });
    expect(badAmount.body.reason).toContain('不是金额');
    const ok = await t.sim.click(form.id, 'sunli', 'budget.expense', { line: '2', amount: '1.5万', invoice: 'CARD0001', invoiceType: 'special', taxRate: '6%' });
    expect(ok.body).toMatchObject({ accepted: true });
    expect(ok.body.message).toContain('第 2 行 场地·主会场 ¥15,000.00');
    await t.sim.waitForCard(GROUP, form.id, (c) => c.state?.closed === true);
    // Voided, its invoice number can be used again.
    const expense = (await t.app.services.db.expense.findFirst({ where: { invoiceNo: 'CARD0001' } }))!;
    expect((await t.sim.ask(GROUP, 'sunli', `支出 作废 #${expense.id}`)).text).toContain('已作废');
    expect((await t.sim.ask(GROUP, 'sunli', `支出 #${id} 2 1.5万 发票 CARD0001 专票 税率6%`)).text).toContain('已记录支出');
  });

  it('grades a supplier with a P1 incident and low catering ratings C or D, and gives the organizers a replacement task', async () => {
    // The confirmed attendees rate the meeting: catering (the 4th dimension) 1 and 2.
    const started = await askFor(GROUP, 'wangfang', `问卷 发起 #${meetingId} 已确认`, textWith('已发起满意度问卷'));
    const surveyId = idOf(started, '问卷 #');
    for (const [u, food] of [['zhaolei', 1], ['zhouting', 2], ['wujun', 1]] as const) {
      expect((await t.sim.ask(`dm-${u}`, u, `问卷 评分 #${surveyId} 4 4 4 ${food} 3`)).text).toContain('已提交');
    }
    expect((await t.sim.ask(GROUP, 'wangfang', `供应商 维度 #${meetingId} 餐饮 餐饮`)).text).toContain('按问卷维度「餐饮」评分');
    const reported = await t.sim.ask(GROUP, 'zhaolei', `上报 后勤 P1 餐厅 午餐发现异物 供应商 悦来酒店 会议 #${meetingId}`);
    expect(reported.text).toContain('计入供应商：悦来酒店');
    expect((await t.sim.ask(GROUP, 'zhaolei', '上报 后勤 P2 餐厅 菜凉了 供应商 不存在的酒店')).text).toContain('供应商「不存在的酒店」不存在');

    const quarter = t.app.services.suppliers.currentQuarter(new Date());
    const dm = await cursor('dm-wangfang');
    const ranking = await t.sim.ask(GROUP, 'wangfang', `供应商 排名 ${quarter}`);
    expect(ranking.text).toContain(`🏆 ${quarter} 供应商排名`);
    expect(ranking.text).toMatch(/【餐饮】\n1\. 悦来酒店 \d+ 分 [CD] 级（事件与客诉 15\/30 · 响应速度 0\/10 · 任务按时 无数据 · 问卷评分 2\.1\/25 · 成本偏差 \d+(\.\d)?\/15）/);
    const score = (await t.app.services.db.supplierScore.findUnique({ where: { supplierId_quarter: { supplierId, quarter } } }))!;
    expect(['C', 'D']).toContain(score.grade);
    expect(score.grade).toBe('D');
    const task = (await t.app.services.tasks.get(score.replacementTaskId!))!;
    expect(task).toMatchObject({ assigneeId: 'simulator:wangfang', priority: 'high', status: 'open' });
    expect(task.title).toContain('评估并更换供应商 悦来酒店');
    expect(ranking.text).toContain(`已为「悦来酒店」发起更换任务 #${task.id}（D 级）`);
    await t.sim.nextBotMessage('dm-wangfang', dm, (m) => m.card?.id === `task-${task.id}-simulator_wangfang`);
    // Ranking again the same quarter creates no second task.
    await t.sim.ask(GROUP, 'wangfang', `供应商 排名 ${quarter}`);
    expect(await t.app.services.db.task.count({ where: { checklistKey: `supplier-replace-${supplierId}-${quarter}` } })).toBe(1);

    const before = await cursor(GROUP);
    await t.sim.say(GROUP, 'wangfang', `@会务助手 供应商 评分 悦来酒店 ${quarter}`);
    const scorecard = (await t.sim.nextBotMessage(GROUP, before, (m) => m.card?.title.includes('记分卡') ?? false)).card!;
    expect(scorecard.body).toContain(`${score.score} 分 · D 级`);
    expect(scorecard.fields?.find((f) => f.label === '事件与客诉')?.value).toBe('15 / 30');
    expect(scorecard.fields?.find((f) => f.label === '任务按时')?.value).toContain('无数据');
    expect((await t.sim.ask(GROUP, 'huangmin', '供应商 悦来酒店')).text).toContain('只有组织者、财务部成员或高管可以查看供应商');
    const shown = await t.sim.ask(GROUP, 'wangfang', '供应商 悦来酒店');
    expect(shown.text).toContain(`${quarter}：${score.score} 分（D 级）`);
  });

  it('speaks English to English commands', async () => {
    const created = await askFor(GROUP, 'zhaolei', 'meeting new Retro tomorrow 4pm venue hall', textWith('Retro'));
    const id = idOf(created);
    expect((await t.sim.ask(GROUP, 'zhaolei', 'supplier register GrandHotel category catering expires 2027-12-31 contact Liu 13912345678')).text).toContain('Supplier "GrandHotel" registered');
    expect((await t.sim.ask(GROUP, 'zhaolei', `budget add #${id} venue hall 5k`)).text).toContain(`Meeting #${id} budget line 1: Venue · hall ¥5,000.00 × 1 × 1 days = ¥5,000.00`);
    expect((await t.sim.ask(GROUP, 'zhaolei', `budget add #${id} catering lunch 80 yuan x attending(2) x 2 days supplier GrandHotel`)).text).toContain('Catering · lunch ¥80.00 × attending 0 (planned 2) × 2 days = ¥320.00');
    const bad = await t.sim.ask(GROUP, 'zhaolei', `budget add #${id} catering dinner 80 yuan x`);
    expect(bad.text).toContain('has no quantity or days after it');
    expect(bad.text).toContain('Usage');
    const spent = await t.sim.ask(GROUP, 'zhaolei', `expense #${id} catering lunch 320 yuan invoice EN000001 special tax 6%`);
    expect(spent.text).toMatch(/Expense #\d+ recorded: meeting #\d+ line 2 Catering · lunch ¥320.00/);
    expect((await t.sim.ask(GROUP, 'zhaolei', `expense #${id} line 1 5k invoice en000001`)).text).toContain('cannot be recorded twice');
    expect((await t.sim.ask(GROUP, 'zhaolei', `expense list #${id}`)).text).toContain('invoice EN000001 · special VAT invoice · tax 6% · GrandHotel');
    expect((await t.sim.ask(GROUP, 'zhaolei', `budget #${id}`)).text).toContain(`Budget of meeting #${id} "Retro"`);
    const blockers = await t.sim.ask(GROUP, 'zhaolei', `settle #${id}`);
    expect(blockers.text).toContain('cannot be settled yet');
    expect(blockers.text).toContain('line 1 Venue · hall has no expense');
    const reported = await t.sim.ask(GROUP, 'zhaolei', `report equipment P3 hall projector flickers supplier GrandHotel meeting #${id}`);
    expect(reported.text).toContain('Attributed to supplier GrandHotel');
    const task = await t.sim.ask(GROUP, 'zhaolei', `task @zhouting fix the menu due tomorrow 5pm supplier GrandHotel meeting #${id}`);
    const taskId = idOf(task);
    expect((await t.app.services.tasks.get(taskId))?.supplierId).toBe((await t.app.services.suppliers.byName('GrandHotel'))!.id);
    expect((await t.sim.ask(GROUP, 'zhaolei', 'supplier rank')).text).toContain('Supplier ranking');
    expect((await t.sim.ask(GROUP, 'zhaolei', 'supplier GrandHotel')).text).toContain('Contact Liu 139****5678');
  });
});
