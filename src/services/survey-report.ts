/**
 * Publishing survey results: the summary and a chart image in the meeting's group (in the group's
 * language), an alert to the organizers when satisfaction drops below target (naming the lowest
 * dimensions, in each organizer's language; once per drop, again only after a recovery), and CSV.
 * Dimension names stay as configured.
 */
import { barChartPng } from '../charts/bar-chart.js';
import { formatCsv } from '../csv.js';
import type { Translator } from '../i18n/translator.js';
import { PRIORITY } from '../queue/queues.js';
import type { LocaleService } from './locales.js';
import type { MediaStore } from './media.js';
import type { MeetingService } from './meetings.js';
import type { Outbox } from './outbox.js';
import { overallLabel, resultsText } from './survey-results.js';
import type { SurveyRow, SurveyService } from './surveys.js';

declare module './services.js' {
  interface Services {
    surveyReport: SurveyReport;
  }
}

export class SurveyReport {
  constructor(
    private readonly surveys: SurveyService,
    private readonly meetings: MeetingService,
    private readonly outbox: Outbox,
    private readonly locales: LocaleService,
    private readonly media: MediaStore,
    private readonly fontFile: string | undefined,
  ) {}

  /** Posts results to the meeting's group; `key` (e.g. `close`, or the request's event id) keeps each posting single. */
  async publish(survey: SurveyRow, key: string): Promise<{ overall: number | null; belowTarget: boolean }> {
    const meeting = await this.meetings.get(survey.meetingId);
    if (!meeting) return { overall: null, belowTarget: false };
    const results = await this.surveys.results(survey);
    const group = { kind: 'conversation' as const, conversationId: meeting.conversationId };
    const t = await this.locales.forConversation(meeting.conversationId);
    // Once per drop below target, not once per viewing: ids carry the drop's number. Queued before
    // the results, so whoever sees the results can count on the alert being on its way.
    const drop = await this.surveys.newLowScoreDrop(survey.id, results.belowTarget);
    if (drop !== null) {
      const organizers = this.meetings.organizerIds(meeting);
      const translators = await this.locales.forUsers(organizers);
      await this.outbox.enqueueMany(
        organizers.map((userId) => {
          const ot = translators.get(userId)!;
          const lowest = ot.list(results.lowest.map((d) => ot.t('survey.results.score', { name: d.name, average: d.average })));
          return {
            id: `survey-${survey.id}-lowscore-${drop}-${userId}`,
            target: { kind: 'user' as const, userId },
            content: { type: 'text' as const, text: ot.t('survey.results.lowScore', { id: meeting.id, title: meeting.title, overall: results.overall, target: results.target, lowest }) },
            priority: PRIORITY.urgent,
          };
        }),
      );
    }
    await this.outbox.enqueue({ id: `survey-${survey.id}-results-${key}-text`, target: group, content: { type: 'text', text: resultsText(t, survey.id, meeting.title, results) }, priority: PRIORITY.normal });
    if (results.responses > 0) {
      const score = (d: { name: string; average: number | null }) => t.t('survey.results.score', { name: d.name, average: d.average ?? t.t('survey.results.none') });
      const png = barChartPng(
        {
          title: t.t('survey.results.chartTitle', { title: meeting.title, count: results.responses }),
          labels: results.dimensions.map((d) => d.name),
          values: results.dimensions.map((d) => d.average ?? 0),
          target: { value: results.target, label: t.t('survey.results.chartTarget', { target: results.target }) },
        },
        this.fontFile,
      );
      const mediaId = await this.media.putPng(png);
      await this.outbox.enqueue({
        id: `survey-${survey.id}-results-${key}-chart`,
        target: group,
        content: { type: 'image', mediaId, alt: t.t('survey.results.chartAlt', { values: results.dimensions.map(score).join(t.t('survey.results.chartAltSeparator')) }) },
        priority: PRIORITY.normal,
      });
    }
    await this.surveys.recordTargetCheck(survey.id, results.belowTarget, drop);
    return { overall: results.overall, belowTarget: results.belowTarget };
  }

  /** The results as CSV, with headers in the reader's language (`t`). */
  async csv(survey: SurveyRow, t: Translator): Promise<string> {
    const r = await this.surveys.results(survey);
    const c = (key: string) => t.t(`survey.csv.${key}`);
    const scoreHeaders = [5, 4, 3, 2, 1].map((score) => t.t('survey.csv.score', { score }));
    const table: Array<Array<string | number | null>> = [
      [c('survey'), `#${survey.id}`, t.t(survey.anonymous ? 'survey.kind.anonymous' : 'survey.kind.named')],
      [c('responses'), r.responses, c('recipients'), r.recipients, c('rate'), `${Math.round(r.responseRate * 100)}%`],
      [overallLabel(t, r), r.overall, c('target'), r.target],
      [],
      [c('dimension'), c('average'), ...scoreHeaders],
      ...r.dimensions.map((d) => [d.name, d.average, d.distribution[4], d.distribution[3], d.distribution[2], d.distribution[1], d.distribution[0]]),
      [],
      [...(survey.anonymous ? [] : [c('respondent')]), ...r.dimensions.map((d) => d.name), c('comment')],
      ...r.rows.map((row) => [...(survey.anonymous ? [] : [row.userId]), ...row.ratings, row.comment]),
    ];
    return formatCsv(table);
  }
}
