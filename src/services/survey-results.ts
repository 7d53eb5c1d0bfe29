/** Survey results: response rate, per-dimension averages and distributions, comments, the target check. */
import type { Translator } from '../i18n/translator.js';
import { words } from '../i18n/vocabulary.js';

export interface DimensionResult {
  name: string;
  average: number | null;
  /** Counts of scores 1..5 (index 0 is score 1). */
  distribution: [number, number, number, number, number];
}

export interface SurveyResults {
  recipients: number;
  responses: number;
  responseRate: number;
  dimensions: DimensionResult[];
  /** The overall dimension's average when one is asked (总体满意度), else the mean of the dimension averages. */
  overall: number | null;
  /** The configured name of the overall dimension; null when `overall` is the mean. */
  overallName: string | null;
  target: number;
  belowTarget: boolean;
  /** Lowest dimensions first (for the alert). */
  lowest: DimensionResult[];
  comments: string[];
  /** Named surveys only: respondent ids in the order of `rows`. */
  rows: Array<{ ratings: number[]; comment: string | null; userId: string | null }>;
}

/** A dimension named like this (any language, as configured) is the overall score. */
function isOverall(name: string): boolean {
  const n = name.trim().toLowerCase();
  return words('survey.words.overall').some((w) => w.toLowerCase() === n);
}

export function computeResults(
  dimensions: string[],
  rows: Array<{ ratings: number[]; comment: string | null; userId: string | null }>,
  recipients: number,
  target: number,
): SurveyResults {
  const results: DimensionResult[] = dimensions.map((name, i) => {
    const distribution: DimensionResult['distribution'] = [0, 0, 0, 0, 0];
    let sum = 0;
    let n = 0;
    for (const row of rows) {
      const score = row.ratings[i];
      if (score === undefined || score < 1 || score > 5) continue;
      distribution[score - 1]!++;
      sum += score;
      n++;
    }
    return { name, average: n === 0 ? null : round2(sum / n), distribution };
  });
  const answered = results.filter((r) => r.average !== null);
  const overallDimension = results.find((r) => isOverall(r.name));
  const overall =
    overallDimension?.average ?? (answered.length === 0 ? null : round2(answered.reduce((s, r) => s + r.average!, 0) / answered.length));
  return {
    recipients,
    responses: rows.length,
    responseRate: recipients === 0 ? 0 : round2((rows.length / recipients) * 100) / 100,
    dimensions: results,
    overall,
    overallName: overallDimension?.name ?? null,
    target,
    belowTarget: overall !== null && overall < target,
    lowest: [...answered].sort((a, b) => a.average! - b.average!).slice(0, 2),
    comments: rows.map((r) => r.comment).filter((c): c is string => Boolean(c)),
    rows,
  };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/** The results message, in the group's language (`t`). */
export function resultsText(t: Translator, surveyId: number, meetingTitle: string, r: SurveyResults): string {
  const none = t.t('survey.results.none');
  const verdict = r.overall === null ? '' : t.t(r.belowTarget ? 'survey.results.below' : 'survey.results.met');
  const lines = [
    t.t('survey.results.title', { id: surveyId, title: meetingTitle }),
    t.t('survey.results.rate', { responses: r.responses, recipients: r.recipients, percent: Math.round(r.responseRate * 100) }),
    t.t('survey.results.overall', { label: overallLabel(t, r), overall: r.overall ?? none, target: r.target, verdict }),
    ...r.dimensions.map((d) => {
      const [d1, d2, d3, d4, d5] = d.distribution;
      return t.t('survey.results.dimension', { name: d.name, average: d.average ?? none, d5, d4, d3, d2, d1 });
    }),
  ];
  if (r.comments.length > 0) lines.push(t.t('survey.results.comments'), ...r.comments.slice(0, 20).map((c) => t.t('survey.results.comment', { text: c })));
  if (r.comments.length > 20) lines.push(t.t('survey.results.moreComments', { count: r.comments.length }));
  return lines.join('\n');
}

/** The overall dimension's configured name, or "the mean of all items". */
export function overallLabel(t: Translator, r: SurveyResults): string {
  return r.overallName ?? t.t('survey.results.average');
}
