/**
 * The attendee directory: a person's history across meetings, their known meal needs pre-filling
 * the next invitation, and 我的信息 to see, correct and delete them. Surveys count by receipt only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/harness.js';

const GROUP = 'prep-group';
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ HUIWU_GROUP_LIMIT_PER_MINUTE: '1000', HUIWU_RECIPIENT_LIMIT_PER_MINUTE: '1000', HUIWU_SURVEY_AUTO: 'off' });
});
afterAll(async () => {
  await t?.close();
});

const idOf = (text: string | undefined) => Number(/#(\d+)/.exec(text ?? '')?.[1]);

describe('attendee directory', () => {
  it('keeps history and meal needs, pre-fills the next invitation, and lets the attendee correct and delete them', async () => {
    const first = idOf((await t.sim.ask(GROUP, 'wangfang', '会议 新建 年会 明天上午9点~11点')).text);
    await t.sim.ask(GROUP, 'wangfang', `会议 邀请 #${first} @周婷`);
    expect((await t.sim.ask('dm-zhouting', 'zhouting', `会议 回复 #${first} 参加 清真`)).text).toContain('清真');
    const surveyId = idOf((await t.sim.ask(GROUP, 'wangfang', `问卷 发起 #${first} 已确认`)).text);
    expect((await t.sim.ask('dm-zhouting', 'zhouting', `问卷 评分 #${surveyId} 5 4 5 5 4 很好`)).text).toContain('已提交');
    // The meeting is over and 周婷 never checked in.
    const s = t.app.services;
    const end = new Date(Date.now() - 60_000);
    await s.meetings.reschedule((await s.meetings.get(first))!, new Date(end.getTime() - 7200_000), end);

    // Her record: in a group it is refused.
    expect((await t.sim.ask(GROUP, 'zhouting', '我的信息')).text).toContain('只能在与我的私聊中使用');
    const record = (await t.sim.ask('dm-zhouting', 'zhouting', '我的信息')).text!;
    expect(record).toContain('餐食需求：清真');
    expect(record).toContain('已参会 0 次 · 缺席 1 次 · 已填问卷 1 份');
    expect(record).toContain(`会议 #${first}「年会」`);
    expect(record).toContain('确认参加但未签到');

    // The next invitation is pre-filled with what she told us.
    const second = idOf((await t.sim.ask(GROUP, 'wangfang', '会议 新建 季度会 后天上午9点')).text);
    await t.sim.ask(GROUP, 'wangfang', `会议 邀请 #${second} @周婷`);
    const invite = await t.sim.nextBotMessage('dm-zhouting', 0, (m) => m.card?.id.startsWith(`inv-m${second}-`) ?? false);
    expect(invite.card!.body).toContain('已按您上次告诉我们的餐食需求预填：清真');
    expect(invite.card!.inputs?.find((i) => i.key === 'dietary')?.value).toBe('halal');

    // Corrected, then deleted: past answers lose their meal needs; attendance stays.
    expect((await t.sim.ask('dm-zhouting', 'zhouting', '我的信息 饮食 素食')).text).toContain('已记下你的餐食需求：素食');
    expect((await t.sim.ask('dm-zhouting', 'zhouting', '我的信息 饮食 烧烤')).text).toContain('餐食需求「烧烤」无法识别');
    expect((await t.sim.ask('dm-zhouting', 'zhouting', '我的信息')).text).toContain('餐食需求：素食');
    expect((await t.sim.ask('dm-zhouting', 'zhouting', '我的信息 删除')).text).toContain('清除了 1 条已结束会议回复');
    const after = (await t.sim.ask('dm-zhouting', 'zhouting', '我的信息')).text!;
    expect(after).toContain('餐食需求：未填写');
    expect(after).toContain('缺席 1 次');
    const english = (await t.sim.ask('dm-zhouting', 'zhouting', 'my info')).text!;
    expect(english).toContain('Meal needs: not given');
    expect(english).toContain('Attended 0 · missed 1 · surveys answered 1');
  }, 30_000);
});
