/** Snapshots of the WeCom rendering of neutral cards, plus the limit rules. */
import { describe, expect, it } from 'vitest';
import type { Card } from '../../cards/model.js';
import { translator } from '../../src/i18n/translator.js';
import { reminderCard, withState } from '../../cards/reminder-card.js';
import { WECOM_LIMITS, closedButtonText, renderCardMarkdown, renderTemplateCard, truncate } from '../../src/platforms/wecom/card-render.js';
import { cardProblem } from '../fakes/wecom/api-server.js';

const reminder = reminderCard(translator('zh-CN', 'Asia/Shanghai'), { cardId: 'rem-3-once', reminderId: 3, text: '提交会议材料', dueAt: '2026-03-02 15:00', creatorName: '王芳', important: false, snoozeMinutes: 10 });

describe('WeCom card rendering', () => {
  it('renders a button card (reminder)', () => {
    const card = renderTemplateCard(reminder, 'rem-3-once');
    expect(cardProblem(card)).toBeNull();
    expect(card).toMatchInlineSnapshot(`
      {
        "button_list": [
          {
            "key": "reminder.ack",
            "style": 1,
            "text": "知道了",
          },
          {
            "key": "reminder.snooze",
            "style": 2,
            "text": "稍后提醒（10分钟）",
          },
        ],
        "card_type": "button_interaction",
        "horizontal_content_list": [
          {
            "keyname": "时间",
            "value": "2026-03-02 15:00",
          },
          {
            "keyname": "设置人",
            "value": "王芳",
          },
        ],
        "main_title": {
          "title": "⏰ 提醒 #3",
        },
        "source": {
          "desc": "会务助手",
        },
        "sub_title_text": "提交会议材料
      回复「提醒 知道了 #3」或「提醒 稍后 #3」",
        "task_id": "rem-3-once",
      }
    `);
  });

  it('renders a closed card with its state and no buttons', () => {
    const closed = withState(reminder, { status: 'acknowledged', label: '✅ 王芳 已知晓（2026-03-02 15:01）', closed: true });
    const card = renderTemplateCard(closed, 'rem-3-once');
    expect(card.button_list).toEqual([]);
    expect(card.main_title.desc).toBe('✅ 王芳 已知晓（2026-03-02 15:01）');
    expect(closedButtonText(closed)).toBe('✅ 王芳 已知晓（2026-03-02…');
  });

  const poll: Card = {
    id: 'poll-1',
    title: '年会餐食选择',
    inputs: [{ key: 'meal', label: '餐食', kind: 'select', options: [{ value: 'std', label: '标准餐' }, { value: 'veg', label: '素食' }], value: 'std' }],
    actions: [{ key: 'meeting.meal', label: '提交', style: 'primary' }],
    fallback: '回复「会议 餐食 #1 素食」',
  };

  it('renders one select as a vote card', () => {
    expect(renderTemplateCard(poll, 'poll-1')).toMatchInlineSnapshot(`
      {
        "card_type": "vote_interaction",
        "checkbox": {
          "mode": 0,
          "option_list": [
            {
              "id": "std",
              "is_checked": true,
              "text": "标准餐",
            },
            {
              "id": "veg",
              "text": "素食",
            },
          ],
          "question_key": "meal",
        },
        "main_title": {
          "title": "年会餐食选择",
        },
        "source": {
          "desc": "会务助手",
        },
        "sub_title_text": "回复「会议 餐食 #1 素食」",
        "submit_button": {
          "key": "meeting.meal",
          "text": "提交",
        },
        "task_id": "poll-1",
      }
    `);
  });

  it('renders several selects as a multiple-choice card', () => {
    const form: Card = { ...poll, inputs: [...poll.inputs!, { key: 'hotel', label: '住宿', kind: 'select', options: [{ value: 'yes', label: '需要' }, { value: 'no', label: '不需要' }] }] };
    const card = renderTemplateCard(form, 'form-1');
    expect(card.card_type).toBe('multiple_interaction');
    expect(card.select_list!.map((s) => [s.question_key, s.option_list.map((o) => o.id)])).toEqual([['meal', ['std', 'veg']], ['hotel', ['yes', 'no']]]);
    expect(cardProblem(card)).toBeNull();
  });

  it('keeps within WeCom limits: truncates text with …, never keys', () => {
    const longKey = `meeting.action.${'k'.repeat(200)}`;
    const big: Card = {
      id: 'big',
      title: '标'.repeat(60),
      body: '正文'.repeat(100),
      fields: Array.from({ length: 9 }, (_, i) => ({ label: `字段名很长${i}`, value: '值'.repeat(40) })),
      actions: Array.from({ length: 8 }, (_, i) => ({ key: `${longKey}.${i}`, label: '一个很长很长的按钮文字' })),
      fallback: '回复「会议 回复 #1 参加」',
    };
    const card = renderTemplateCard(big, 'big');
    expect([...card.main_title.title]).toHaveLength(WECOM_LIMITS.title);
    expect(card.main_title.title.endsWith('…')).toBe(true);
    expect(card.horizontal_content_list).toHaveLength(6);
    expect(card.horizontal_content_list!.every((f) => [...f.keyname].length <= 5 && [...f.value].length <= 26)).toBe(true);
    expect(card.button_list).toHaveLength(6);
    expect(card.button_list!.map((b) => b.key)).toEqual(big.actions!.slice(0, 6).map((a) => a.key));
    expect(card.button_list!.every((b) => [...b.text].length <= 10)).toBe(true);
    // The text-command fallback survives whole at the end of the subtitle.
    expect(card.sub_title_text!.endsWith('回复「会议 回复 #1 参加」')).toBe(true);
    expect([...card.sub_title_text!].length).toBeLessThanOrEqual(WECOM_LIMITS.subTitle);
    expect(cardProblem(card)).toBeNull();
  });

  it('truncates by characters, not UTF-16 units', () => {
    expect(truncate('😀😀😀😀', 3)).toBe('😀😀…');
    expect(truncate('短', 3)).toBe('短');
  });

  it('renders markdown for places without template cards', () => {
    expect(renderCardMarkdown(reminder)).toMatchInlineSnapshot(`
      "**⏰ 提醒 #3**
      提交会议材料
      > 时间：2026-03-02 15:00
      > 设置人：王芳
      <font color="comment">回复「提醒 知道了 #3」或「提醒 稍后 #3」</font>"
    `);
  });
});
