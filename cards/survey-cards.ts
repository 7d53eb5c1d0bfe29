/** Survey cards: the 1-5 rating form, and its state once submitted, in the respondent's language. */
import type { Translator } from '../src/i18n/translator.js';
import type { Card } from './model.js';

export const SURVEY_SUBMIT = 'survey.submit';

const SCORES = ['5', '4', '3', '2', '1'];

export interface SurveyCardInput {
  cardId: string;
  surveyId: number;
  meetingTitle: string;
  /** As configured (HUIWU_SURVEY_DIMENSIONS): shown as they are, in every language. */
  dimensions: string[];
  anonymous: boolean;
  deadline: string;
}

/** Inputs are keyed `d0`, `d1`... in dimension order, plus `comment`. */
export function surveyCard(t: Translator, input: SurveyCardInput): Card {
  const options = SCORES.map((value) => ({ value, label: t.t(`survey.card.score.${value}`) }));
  return {
    id: input.cardId,
    title: t.t('survey.card.title', { id: input.surveyId, title: input.meetingTitle }),
    body: t.t('survey.card.body', { privacy: t.t(input.anonymous ? 'survey.card.anonymous' : 'survey.card.named'), deadline: input.deadline }),
    inputs: [
      ...input.dimensions.map((d, i) => ({ key: `d${i}`, label: d, kind: 'select' as const, options, value: '' })),
      { key: 'comment', label: t.t('survey.card.comment'), kind: 'text' as const, placeholder: t.t('survey.card.commentPlaceholder') },
    ],
    actions: [{ key: SURVEY_SUBMIT, label: t.t('survey.card.submit'), style: 'primary' }],
    fallback: t.t('survey.card.fallback', { id: input.surveyId, scores: input.dimensions.map(() => '5').join(' '), dimensions: t.list(input.dimensions) }),
  };
}
