/**
 * Satisfaction surveys. Anonymous by default, and honestly so: an answer row has a random id, no
 * timestamp, no respondent and no insertion order (survey-answers.ts: SQLite and PostgreSQL keep
 * them in the order of their random ids); a separate receipt (a keyed hash of survey and respondent) blocks a second
 * submission and tells who still needs a reminder, without saying which answer was theirs. The
 * respondent's card update says only that they answered. Threat model: docs/architecture.md,
 * "Anonymous surveys".
 */
import { createHmac, hkdfSync, randomUUID } from 'node:crypto';
import { surveyCard } from '../../cards/survey-cards.js';
import type { Config } from '../config.js';
import type { PrismaClient } from '../db/client.js';
import { UserError } from '../errors.js';
import { PRIORITY } from '../queue/queues.js';
import { formatDateTime } from '../time/parse-time.js';
import type { CardService } from './cards.js';
import type { DomainEvents } from './events.js';
import type { LocaleService } from './locales.js';
import type { MeetingRow, MeetingService } from './meetings.js';
import type { Outbox } from './outbox.js';
import { storeSurveyAnswer } from './survey-answers.js';
import type { Scheduler } from './scheduler.js';
import { type SurveyResults, computeResults } from './survey-results.js';

declare module './services.js' {
  interface Services {
    surveys: SurveyService;
  }
}

declare module '../queue/queues.js' {
  interface ScheduleJobs {
    /** A meeting ended: start its satisfaction survey (when HUIWU_SURVEY_AUTO is on). */
    'meeting.survey': { meetingId: number };
    'survey.remind': { surveyId: number; offset: string };
    'survey.close': { surveyId: number };
  }
}

export type SurveyRow = NonNullable<Awaited<ReturnType<PrismaClient['survey']['findUnique']>>>;
export type Audience = 'checked-in' | 'confirmed';

const MAX_COMMENT = 500;

export function surveyCardId(surveyId: number, userId: string): string {
  return `sv-${surveyId}-${userId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

export class SurveyService {
  private readonly voterKey: Buffer;

  constructor(
    private readonly db: PrismaClient,
    private readonly meetings: MeetingService,
    private readonly cards: CardService,
    private readonly outbox: Outbox,
    private readonly locales: LocaleService,
    private readonly scheduler: Scheduler,
    private readonly config: Config,
    piiKey: Buffer,
    private readonly events: DomainEvents,
  ) {
    // A key of its own, derived from the PII key: the hashes cannot be recomputed from the database alone.
    this.voterKey = Buffer.from(hkdfSync('sha256', piiKey, Buffer.alloc(0), 'huiwu-survey-voter', 32));
  }

  async start(meeting: MeetingRow, options: { anonymous: boolean; audience: Audience; deadline?: Date; createdBy: string }, now: Date): Promise<{ survey: SurveyRow; recipients: number }> {
    if (meeting.status !== 'scheduled') throw new UserError('E_SURVEY_MEETING_CANCELLED', { id: meeting.id });
    const where = options.audience === 'checked-in' ? { checkedInAt: { not: null } } : { response: 'yes' };
    const attendees = await this.db.attendee.findMany({ where: { meetingId: meeting.id, userId: { not: null }, ...where } });
    if (attendees.length === 0) throw new UserError(options.audience === 'checked-in' ? 'E_SURVEY_NO_CHECKINS' : 'E_SURVEY_NO_CONFIRMED', { id: meeting.id });
    const deadlineAt = options.deadline ?? new Date(now.getTime() + this.config.HUIWU_SURVEY_DURATION.ms);
    const survey = await this.db.survey.create({
      data: {
        meetingId: meeting.id,
        anonymous: options.anonymous,
        audience: options.audience,
        dimensions: JSON.stringify(this.config.HUIWU_SURVEY_DIMENSIONS),
        deadlineAt,
        createdBy: options.createdBy,
      },
    });
    const userIds = [...new Set(attendees.map((a) => a.userId!))];
    await this.db.surveyRecipient.createMany({ data: userIds.map((userId) => ({ surveyId: survey.id, userId })) });
    const deadline = formatDateTime(deadlineAt, this.config.HUIWU_TIMEZONE);
    const translators = await this.locales.forUsers(userIds);
    await this.cards.sendMany(
      userIds.map((userId) => ({
        card: surveyCard(translators.get(userId)!, {
          cardId: surveyCardId(survey.id, userId),
          surveyId: survey.id,
          meetingTitle: meeting.title,
          dimensions: this.dimensions(survey),
          anonymous: survey.anonymous,
          deadline,
        }),
        options: { kind: 'survey', refId: String(survey.id), target: { kind: 'user' as const, userId }, recipientUserId: userId, priority: PRIORITY.normal },
      })),
    );
    for (const offset of this.config.HUIWU_SURVEY_REMINDERS) {
      const at = now.getTime() + offset.ms;
      if (at < deadlineAt.getTime()) await this.scheduler.at('survey.remind', `survey-${survey.id}-remind-${offset.key}`, { surveyId: survey.id, offset: offset.key }, new Date(at));
    }
    await this.scheduler.at('survey.close', `survey-${survey.id}-close`, { surveyId: survey.id }, deadlineAt);
    return { survey, recipients: userIds.length };
  }

  /** Whether a meeting already has a survey (the automatic one is started once). */
  async existsFor(meetingId: number): Promise<boolean> {
    return (await this.db.survey.count({ where: { meetingId } })) > 0;
  }

  /**
   * How many surveys `userId` answered, from the receipts alone: a receipt says that someone
   * answered, never what (anonymous answers stay unlinked). For the attendee's own record.
   */
  async receiptsOf(userId: string): Promise<number> {
    const asked = await this.db.surveyRecipient.findMany({ where: { userId }, select: { surveyId: true } });
    if (asked.length === 0) return 0;
    return this.db.surveyReceipt.count({ where: { voterHash: { in: asked.map((r) => this.voterHash(r.surveyId, userId)) } } });
  }

  /** Surveys of a meeting still collecting answers (close-out). */
  async openForMeeting(meetingId: number): Promise<SurveyRow[]> {
    return this.db.survey.findMany({ where: { meetingId, status: 'open' }, orderBy: { id: 'asc' } });
  }

  async get(id: number): Promise<SurveyRow | null> {
    return this.db.survey.findUnique({ where: { id } });
  }

  dimensions(survey: SurveyRow): string[] {
    return JSON.parse(survey.dimensions) as string[];
  }

  /** One submission per person; ratings are 1-5 for every dimension, the comment is optional. */
  async submit(survey: SurveyRow, userId: string, scores: string[], comment: string | undefined, now: Date): Promise<void> {
    if (survey.status !== 'open' || now > survey.deadlineAt) throw new UserError('E_SURVEY_DEADLINE_PASSED', { id: survey.id });
    const recipient = await this.db.surveyRecipient.findUnique({ where: { surveyId_userId: { surveyId: survey.id, userId } } });
    if (!recipient) throw new UserError('E_SURVEY_NOT_RECIPIENT', { id: survey.id });
    const dimensions = this.dimensions(survey);
    const ratings = dimensions.map((d, i) => {
      const n = Number(scores[i]);
      if (!Number.isInteger(n) || n < 1 || n > 5) throw new UserError('E_SURVEY_SCORE_INVALID', { dimension: d });
      return n;
    });
    const text = comment?.trim() || null;
    if (text && text.length > MAX_COMMENT) throw new UserError('E_SURVEY_COMMENT_TOO_LONG', { max: MAX_COMMENT });
    const voterHash = this.voterHash(survey.id, userId);
    try {
      await storeSurveyAnswer(this.db, this.config.DATABASE_URL, voterHash, {
        id: randomUUID(),
        surveyId: survey.id,
        ratings: JSON.stringify(ratings),
        comment: text,
        userId: survey.anonymous ? null : userId,
      });
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'P2002') throw new UserError('E_SURVEY_ALREADY_SUBMITTED');
      // A database error can quote the values it was given; the log beside this user's request must not.
      throw new Error(`survey #${survey.id}: answer not stored (${code ?? (error as Error).name})`);
    }
    const cardId = surveyCardId(survey.id, userId);
    if (await this.cards.get(cardId)) {
      await this.cards.update(cardId, (c, t) => ({ ...c, state: { status: 'submitted', label: t.t('survey.card.stateSubmitted'), closed: true } }), PRIORITY.interactive);
    }
    await this.events.emit('survey.answered', { surveyId: survey.id, meetingId: survey.meetingId });
  }

  /** Reminders to people who have not answered; `key` keeps each round single. */
  async remind(survey: SurveyRow, key: string): Promise<number> {
    if (survey.status !== 'open') return 0;
    const pending = await this.pendingRecipients(survey);
    const meeting = await this.meetings.get(survey.meetingId);
    const translators = await this.locales.forUsers(pending);
    const params = { id: survey.id, title: meeting?.title ?? '', deadline: survey.deadlineAt };
    await this.outbox.enqueueMany(
      pending.map((userId) => ({
        id: `survey-${survey.id}-remind-${key}-${userId}`,
        target: { kind: 'user' as const, userId },
        content: { type: 'text' as const, text: translators.get(userId)!.t('survey.reminder', params) },
        priority: PRIORITY.normal,
      })),
    );
    return pending.length;
  }

  async close(survey: SurveyRow, now: Date): Promise<SurveyRow> {
    if (survey.status === 'closed') return survey;
    const closed = await this.db.survey.update({ where: { id: survey.id }, data: { status: 'closed', closedAt: now } });
    await this.scheduler.cancel(`survey-${survey.id}-close`);
    for (const offset of this.config.HUIWU_SURVEY_REMINDERS) await this.scheduler.cancel(`survey-${survey.id}-remind-${offset.key}`);
    for (const card of await this.cards.byRef('survey', String(survey.id))) {
      if (!card.model.state?.closed) await this.cards.update(card.id, (c, t) => ({ ...c, state: { status: 'closed', label: t.t('survey.card.stateClosed'), closed: true } }), PRIORITY.normal);
    }
    await this.events.emit('survey.closed', { surveyId: survey.id, meetingId: survey.meetingId });
    return closed;
  }

  async results(survey: SurveyRow): Promise<SurveyResults> {
    const [responses, recipients] = await Promise.all([
      this.db.surveyResponse.findMany({ where: { surveyId: survey.id } }),
      this.db.surveyRecipient.count({ where: { surveyId: survey.id } }),
    ]);
    return computeResults(
      this.dimensions(survey),
      responses.map((r) => ({ ratings: JSON.parse(r.ratings) as number[], comment: r.comment, userId: r.userId })),
      recipients,
      this.config.HUIWU_SATISFACTION_TARGET,
    );
  }

  /**
   * The number of a new drop below target to alert (1, 2, ...): null when the results are not below
   * target or this drop was alerted already. A drop is recorded by `recordTargetCheck`, after its
   * alert is queued: a crash in between alerts again under the same ids, which send once.
   */
  async newLowScoreDrop(surveyId: number, below: boolean): Promise<number | null> {
    if (!below) return null;
    const row = await this.db.survey.findUnique({ where: { id: surveyId }, select: { belowTarget: true, lowScoreAlerts: true } });
    return row && !row.belowTarget ? row.lowScoreAlerts + 1 : null;
  }

  /** Records whether the published results are below target (a recovery re-arms the alert). */
  async recordTargetCheck(surveyId: number, below: boolean, drop: number | null): Promise<void> {
    await this.db.survey.update({ where: { id: surveyId }, data: { belowTarget: below, ...(drop === null ? {} : { lowScoreAlerts: drop }) } });
  }

  async pendingRecipients(survey: SurveyRow): Promise<string[]> {
    const recipients = await this.db.surveyRecipient.findMany({ where: { surveyId: survey.id } });
    const receipts = new Set((await this.db.surveyReceipt.findMany({ where: { surveyId: survey.id }, select: { voterHash: true } })).map((r) => r.voterHash));
    return recipients.map((r) => r.userId).filter((u) => !receipts.has(this.voterHash(survey.id, u)));
  }

  private voterHash(surveyId: number, userId: string): string {
    return createHmac('sha256', this.voterKey).update(`${surveyId}:${userId}`).digest('hex');
  }
}
