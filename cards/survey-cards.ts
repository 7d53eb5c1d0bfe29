/** Survey cards: the 1-5 rating form, and its state once submitted. */
import type { Card } from './model.js';

export const SURVEY_SUBMIT = 'survey.submit';

const SCORE_OPTIONS = [
  { value: '5', label: '5 非常满意' },
  { value: '4', label: '4 满意' },
  { value: '3', label: '3 一般' },
  { value: '2', label: '2 不满意' },
  { value: '1', label: '1 非常不满意' },
];

export interface SurveyCardInput {
  cardId: string;
  surveyId: number;
  meetingTitle: string;
  dimensions: string[];
  anonymous: boolean;
  deadline: string;
}

/** Inputs are keyed `d0`, `d1`... in dimension order, plus `comment`. */
export function surveyCard(input: SurveyCardInput): Card {
  return {
    id: input.cardId,
    title: `⭐ 满意度问卷 #${input.surveyId}「${input.meetingTitle}」`,
    body: `${input.anonymous ? '🔒 匿名问卷：你的评分和意见不会与你的身份一起保存。' : '📝 实名问卷：组织者可以看到你的评分。'}\n请为以下各项打分（5 分最高），${input.deadline} 截止。`,
    inputs: [
      ...input.dimensions.map((d, i) => ({ key: `d${i}`, label: d, kind: 'select' as const, options: SCORE_OPTIONS, value: '' })),
      { key: 'comment', label: '意见和建议（选填）', kind: 'text' as const, placeholder: '选填' },
    ],
    actions: [{ key: SURVEY_SUBMIT, label: '提交', style: 'primary' }],
    fallback: `也可回复：问卷 评分 #${input.surveyId} ${input.dimensions.map(() => '5').join(' ')} [意见]（按顺序：${input.dimensions.join('、')}）`,
  };
}
