/**
 * Publishing survey results: the summary and a chart image in the organizers' group, an alert to
 * the organizers when satisfaction is below target (naming the lowest dimensions), and CSV.
 */
import { barChartPng } from '../charts/bar-chart.js';
import { formatCsv } from '../csv.js';
import { PRIORITY } from '../queue/queues.js';
import type { MediaStore } from './media.js';
import type { MeetingService } from './meetings.js';
import type { Outbox } from './outbox.js';
import { resultsText } from './survey-results.js';
import type { SurveyRow, SurveyService } from './surveys.js';

export class SurveyReport {
  constructor(
    private readonly surveys: SurveyService,
    private readonly meetings: MeetingService,
    private readonly outbox: Outbox,
    private readonly media: MediaStore,
    private readonly fontFile: string | undefined,
  ) {}

  /** Posts results to the meeting's group; `key` (e.g. `close`, or the request's event id) keeps each posting single. */
  async publish(survey: SurveyRow, key: string): Promise<{ overall: number | null; belowTarget: boolean }> {
    const meeting = await this.meetings.get(survey.meetingId);
    if (!meeting) return { overall: null, belowTarget: false };
    const results = await this.surveys.results(survey);
    const group = { kind: 'conversation' as const, conversationId: meeting.conversationId };
    await this.outbox.enqueue({ id: `survey-${survey.id}-results-${key}-text`, target: group, content: { type: 'text', text: resultsText(survey.id, meeting.title, results) }, priority: PRIORITY.normal });
    if (results.responses > 0) {
      const png = barChartPng({
        title: `「${meeting.title}」满意度（${results.responses} 份）`,
        labels: results.dimensions.map((d) => d.name),
        values: results.dimensions.map((d) => d.average ?? 0),
        target: { value: results.target, label: `目标 ${results.target}` },
      }, this.fontFile);
      const mediaId = await this.media.putPng(png);
      await this.outbox.enqueue({
        id: `survey-${survey.id}-results-${key}-chart`,
        target: group,
        content: { type: 'image', mediaId, alt: `满意度图表：${results.dimensions.map((d) => `${d.name} ${d.average ?? '—'}`).join('，')}` },
        priority: PRIORITY.normal,
      });
    }
    if (results.belowTarget) {
      const lowest = results.lowest.map((d) => `${d.name} ${d.average}`).join('、');
      const text = `⚠️ 会议 #${meeting.id}「${meeting.title}」满意度 ${results.overall} 低于目标 ${results.target}。得分最低：${lowest}。建议查看意见并跟进改进。`;
      await this.outbox.enqueueMany(
        this.meetings.organizerIds(meeting).map((userId) => ({
          id: `survey-${survey.id}-lowscore-${key}-${userId}`,
          target: { kind: 'user' as const, userId },
          content: { type: 'text' as const, text },
          priority: PRIORITY.urgent,
        })),
      );
    }
    return { overall: results.overall, belowTarget: results.belowTarget };
  }

  async csv(survey: SurveyRow): Promise<string> {
    const r = await this.surveys.results(survey);
    const table: Array<Array<string | number | null>> = [
      ['问卷', `#${survey.id}`, survey.anonymous ? '匿名' : '实名'],
      ['回复', r.responses, '发放', r.recipients, '回复率', `${Math.round(r.responseRate * 100)}%`],
      [r.overallLabel, r.overall, '目标', r.target],
      [],
      ['维度', '平均分', '5分', '4分', '3分', '2分', '1分'],
      ...r.dimensions.map((d) => [d.name, d.average, d.distribution[4], d.distribution[3], d.distribution[2], d.distribution[1], d.distribution[0]]),
      [],
      [...(survey.anonymous ? [] : ['答卷人']), ...r.dimensions.map((d) => d.name), '意见'],
      ...r.rows.map((row) => [...(survey.anonymous ? [] : [row.userId]), ...row.ratings, row.comment]),
    ];
    return formatCsv(table);
  }
}
