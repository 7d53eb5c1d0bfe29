import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DINGTALK_CARD_VARS, renderDingTalkCard, renderDingTalkMarkdown, renderDingTalkNotice } from '../../src/platforms/dingtalk/card-render.js';
import { translator } from '../../src/i18n/translator.js';
import { reminderCard, withState } from '../../cards/reminder-card.js';

const card = reminderCard(translator('zh-CN', 'Asia/Shanghai'), { cardId: 'card-rem-3', reminderId: 3, text: '提交会议材料', dueAt: '2026-11-28 15:00', creatorName: '王芳', important: false, snoozeMinutes: 10 });

describe('DingTalk card renderer', () => {
  it('renders the neutral card as string-only card data', () => {
    const data = renderDingTalkCard(card);
    expect(Object.values(data).every((v) => typeof v === 'string')).toBe(true);
    expect(data).toEqual({
      title: '⏰ 提醒 #3',
      body: '提交会议材料',
      fields: JSON.stringify([{ label: '时间', value: '2026-11-28 15:00' }, { label: '设置人', value: '王芳' }]),
      status: '',
      closed: 'false',
      actions: JSON.stringify([
        { key: 'reminder.ack', label: '知道了', status: 'primary' },
        { key: 'reminder.snooze', label: '稍后提醒（10分钟）', status: 'normal' },
      ]),
      hasActions: 'true',
      fallback: '回复「提醒 知道了 #3」或「提醒 稍后 #3」',
    });
  });

  it('hides the buttons and the text commands once the card is closed', () => {
    const data = renderDingTalkCard(withState(card, { status: 'acknowledged', label: '已知晓：王芳', closed: true }));
    expect(data).toMatchObject({ status: '已知晓：王芳', closed: 'true', actions: '[]', hasActions: 'false', fallback: '' });
  });

  it('maps button styles to DingTalk button statuses', () => {
    const data = renderDingTalkCard({ id: 'c', title: 't', actions: [{ key: 'x.stop', label: '停止', style: 'danger' }] });
    expect(JSON.parse(data.actions!)).toEqual([{ key: 'x.stop', label: '停止', status: 'warning' }]);
  });

  it('renders a private notice for the clicker', () => {
    expect(renderDingTalkNotice('只有本人可以操作')).toEqual({ notice: '只有本人可以操作' });
  });

  it('renders a markdown form with the text-command fallback', () => {
    const md = renderDingTalkMarkdown(card);
    expect(md.title).toBe('⏰ 提醒 #3');
    expect(md.text).toContain('**时间**：2026-11-28 15:00');
    expect(md.text).toContain('提醒 知道了 #3');
  });

  it('ships a template that declares exactly the variables the renderer fills', () => {
    const template = JSON.parse(readFileSync('src/platforms/dingtalk/card-template.json', 'utf8')) as { variables: Array<{ name: string }>; card: unknown };
    expect(template.variables.map((v) => v.name).sort()).toEqual(Object.values(DINGTALK_CARD_VARS).sort());
    const body = JSON.stringify(template.card);
    for (const name of Object.values(DINGTALK_CARD_VARS)) expect(body).toContain(`\${${name}`);
    expect(body).toContain('"action":"${loop.key}"');
  });
});
