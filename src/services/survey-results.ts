/** Survey results: response rate, per-dimension averages and distributions, comments, the target check. */

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
  /** 总体满意度 when asked, else the mean of the dimension averages. */
  overall: number | null;
  overallLabel: string;
  target: number;
  belowTarget: boolean;
  /** Lowest dimensions first (for the alert). */
  lowest: DimensionResult[];
  comments: string[];
  /** Named surveys only: respondent ids in the order of `rows`. */
  rows: Array<{ ratings: number[]; comment: string | null; userId: string | null }>;
}

const OVERALL = '总体满意度';

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
  const overallDimension = results.find((r) => r.name === OVERALL);
  const overall =
    overallDimension?.average ?? (answered.length === 0 ? null : round2(answered.reduce((s, r) => s + r.average!, 0) / answered.length));
  return {
    recipients,
    responses: rows.length,
    responseRate: recipients === 0 ? 0 : round2((rows.length / recipients) * 100) / 100,
    dimensions: results,
    overall,
    overallLabel: overallDimension ? OVERALL : '各项平均',
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

export function resultsText(surveyId: number, meetingTitle: string, r: SurveyResults): string {
  const lines = [
    `📊 满意度问卷 #${surveyId}「${meetingTitle}」结果`,
    `回复率：${r.responses}/${r.recipients}（${Math.round(r.responseRate * 100)}%）`,
    `${r.overallLabel}：${r.overall ?? '—'}（目标 ≥${r.target}）${r.overall === null ? '' : r.belowTarget ? '⚠️ 未达标' : '✅ 达标'}`,
    ...r.dimensions.map((d) => `• ${d.name}：${d.average ?? '—'}　分布 5分×${d.distribution[4]} 4分×${d.distribution[3]} 3分×${d.distribution[2]} 2分×${d.distribution[1]} 1分×${d.distribution[0]}`),
  ];
  if (r.comments.length > 0) lines.push('意见：', ...r.comments.slice(0, 20).map((c) => `「${c}」`));
  if (r.comments.length > 20) lines.push(`……共 ${r.comments.length} 条，完整内容请导出`);
  return lines.join('\n');
}
