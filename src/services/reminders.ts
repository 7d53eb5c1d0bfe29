/**
 * Reminders: stored in the database, fired by delayed jobs (one-off) or BullMQ job schedulers
 * (recurring, in the configured zone). Every job id derives from the reminder id, and the fire
 * processor re-checks the database, so a cancelled, acknowledged or duplicated job sends nothing.
 */
import { reminderCard, withState } from '../../cards/reminder-card.js';
import type { Config } from '../config.js';
import type { PrismaClient } from '../db/client.js';
import type { OutboundTarget } from '../platforms/types.js';
import { PRIORITY, jobIdPart, type ScheduleJobs } from '../queue/queues.js';
import type { Translator } from '../i18n/translator.js';
import type { CardService } from './cards.js';
import type { Directory } from './directory.js';
import type { LocaleService } from './locales.js';
import type { Scheduler } from './scheduler.js';
import { describeRule } from '../time/recurring.js';

declare module './services.js' {
  interface Services {
    reminders: ReminderService;
  }
}

declare module '../queue/queues.js' {
  interface ScheduleJobs {
    'reminder.fire': { reminderId: number; repeatOf?: string; repeat?: number };
  }
}

export type ReminderWhen =
  | { kind: 'once'; at: Date }
  | { kind: 'recurring'; cron: string; description: string; firstAt: Date };

export type ReminderTarget = { kind: 'user'; userId: string } | { kind: 'group'; conversationId: string };

export interface NewReminder {
  creatorId: string;
  sourceConversationId: string;
  target: ReminderTarget;
  text: string;
  when: ReminderWhen;
  important: boolean;
}

type ReminderRow = NonNullable<Awaited<ReturnType<PrismaClient['reminder']['findUnique']>>>;

const OPEN_STATUSES = ['pending', 'fired', 'snoozed', 'active'];

export class ReminderService {
  constructor(
    private readonly db: PrismaClient,
    private readonly scheduler: Scheduler,
    private readonly cards: CardService,
    private readonly directory: Directory,
    private readonly locales: LocaleService,
    private readonly config: Config,
  ) {}

  async create(input: NewReminder): Promise<ReminderRow> {
    const base = {
      creatorId: input.creatorId,
      sourceConversationId: input.sourceConversationId,
      targetKind: input.target.kind,
      targetUserId: input.target.kind === 'user' ? input.target.userId : null,
      targetConversationId: input.target.kind === 'group' ? input.target.conversationId : null,
      text: input.text,
      important: input.important,
      timeZone: this.config.HUIWU_TIMEZONE,
    };
    if (input.when.kind === 'once') {
      const row = await this.db.reminder.create({ data: { ...base, fireAt: input.when.at, status: 'pending' } });
      await this.scheduler.at('reminder.fire', onceJobId(row.id), { reminderId: row.id }, input.when.at);
      return row;
    }
    const row = await this.db.reminder.create({
      data: { ...base, fireAt: input.when.firstAt, cron: input.when.cron, ruleText: input.when.description, status: 'active' },
    });
    await this.scheduler.recurring('reminder.fire', schedulerId(row.id), input.when.cron, this.config.HUIWU_TIMEZONE, { reminderId: row.id });
    return row;
  }

  /** Open reminders the user created or receives, soonest first. */
  async listFor(userId: string): Promise<ReminderRow[]> {
    return this.db.reminder.findMany({
      where: { status: { in: OPEN_STATUSES }, OR: [{ creatorId: userId }, { targetUserId: userId }] },
      orderBy: [{ fireAt: 'asc' }, { id: 'asc' }],
      take: 50,
    });
  }

  async get(id: number): Promise<ReminderRow | null> {
    return this.db.reminder.findUnique({ where: { id } });
  }

  async cancel(reminder: ReminderRow): Promise<void> {
    await this.db.reminder.update({ where: { id: reminder.id }, data: { status: 'cancelled' } });
    await this.removeJobs(reminder);
    await this.closeCards(reminder.id, (t) => ({ status: 'cancelled', label: t.t('reminder.card.stateCancelled'), closed: true }));
  }

  /**
   * Called by the schedule processor. `occurrence` is the job id, unique per delivery, so the
   * card and message ids derived from it make a retried job send once.
   */
  async fire(data: ScheduleJobs['reminder.fire'], occurrence: string): Promise<'sent' | 'skipped'> {
    const reminder = await this.get(data.reminderId);
    if (!reminder || !OPEN_STATUSES.includes(reminder.status)) return 'skipped';
    if (occurrence === onceJobId(reminder.id) && !reminder.cron) return this.fireOnce(reminder);
    const isRepeat = data.repeat !== undefined;
    if (isRepeat && reminder.ackedAt) return 'skipped';
    if (isRepeat && reminder.repeatsSent >= (data.repeat ?? 0)) return 'skipped';

    await this.deliver([reminder], () => occurrence, data.repeat);
    await this.db.reminder.update({
      where: { id: reminder.id },
      data: isRepeat
        ? { repeatsSent: data.repeat }
        : {
            status: reminder.cron ? 'active' : 'fired',
            repeatsSent: 0,
            ackedAt: null,
            ackedBy: null,
            occurrence: { increment: 1 },
          },
    });
    if (reminder.important) await this.scheduleRepeat(reminder.id, isRepeat ? (data.repeatOf ?? occurrence) : occurrence, (data.repeat ?? 0) + 1);
    return 'sent';
  }

  /**
   * The first delivery of a one-off reminder. A burst (10,000 due in the same second) becomes
   * batches: the job takes its reminder and up to FIRE_BATCH - 1 others due by now, claims them in
   * one conditional update (pending -> fired, so two jobs never claim the same one) and stores
   * and queues their cards together. The jobs of the others then find their card queued and
   * skip. Card and message ids are those each reminder's own job would use, so a batch that dies
   * after its claim is completed by those jobs, and nothing is sent twice.
   */
  private async fireOnce(reminder: ReminderRow): Promise<'sent' | 'skipped'> {
    if (reminder.status !== 'pending') {
      // Claimed by another job's batch: it queued the card, or died before; then send it here.
      if (await this.cards.isQueued(reminderCardId(reminder.id, onceJobId(reminder.id)))) return 'skipped';
      await this.deliver([reminder], (r) => onceJobId(r.id));
      return 'sent';
    }
    const others = await this.db.reminder.findMany({
      where: { status: 'pending', cron: null, fireAt: { lte: new Date() }, id: { not: reminder.id } },
      select: { id: true },
      orderBy: { fireAt: 'asc' },
      take: FIRE_BATCH - 1,
    });
    const claimed = await this.db.reminder.updateManyAndReturn({
      where: { id: { in: [reminder.id, ...others.map((o) => o.id)] }, status: 'pending' },
      data: { status: 'fired', repeatsSent: 0, ackedAt: null, ackedBy: null, occurrence: { increment: 1 } },
    });
    if (!claimed.some((r) => r.id === reminder.id)) {
      // Claimed meanwhile by another job's batch (as above), or cancelled or acknowledged.
      const current = await this.get(reminder.id);
      if (!current || !OPEN_STATUSES.includes(current.status)) return 'skipped';
      if (current.status === 'pending') throw new Error(`reminder ${reminder.id} is pending but could not be claimed`);
      return this.fireOnce(current);
    }
    await this.deliver(claimed, (r) => onceJobId(r.id));
    for (const r of claimed) if (r.important) await this.scheduleRepeat(r.id, onceJobId(r.id), 1);
    return 'sent';
  }

  /** Stores and queues the cards of `reminders`, each for its delivery (the job id that stands for it), in one go. */
  private async deliver(reminders: readonly ReminderRow[], occurrenceOf: (reminder: ReminderRow) => string, repeat?: number): Promise<void> {
    const now = new Date();
    const items = [];
    for (const reminder of reminders) {
      const creator = await this.directory.user(reminder.creatorId);
      const target = deliveryTarget(reminder);
      const t = await this.locales.forTarget(target);
      const card = reminderCard(t, {
        cardId: reminderCardId(reminder.id, occurrenceOf(reminder)),
        reminderId: reminder.id,
        text: reminder.text,
        dueAt: t.dateTime(now),
        creatorName: creator?.name ?? t.t('common.system'),
        important: reminder.important,
        rule: reminder.cron ? describeRule(reminder.cron, t) : null,
        repeat,
        snoozeMinutes: this.config.HUIWU_SNOOZE_MINUTES,
      });
      items.push({
        card,
        options: {
          kind: 'reminder',
          refId: String(reminder.id),
          target,
          recipientUserId: reminder.targetKind === 'user' ? (reminder.targetUserId ?? reminder.creatorId) : null,
          priority: PRIORITY.urgent,
        },
      });
    }
    await this.cards.sendMany(items);
  }

  /** 知道了: stops repeats of an important reminder and closes its open cards. */
  async acknowledge(reminder: ReminderRow, userId: string, userName: string): Promise<void> {
    const now = new Date();
    await this.db.reminder.update({
      where: { id: reminder.id },
      data: { ackedAt: now, ackedBy: userId, status: reminder.cron ? 'active' : 'acked' },
    });
    await this.closeCards(reminder.id, (t) => ({ status: 'acknowledged', label: t.t('reminder.card.stateAcked', { name: userName, at: now }), closed: true }));
  }

  /** 稍后提醒: one more delivery after the snooze delay; the clicked card shows until when. */
  async snooze(reminder: ReminderRow, cardId: string): Promise<Date> {
    const until = new Date(Date.now() + this.config.HUIWU_SNOOZE_MINUTES * 60_000);
    await this.db.reminder.update({
      where: { id: reminder.id },
      data: { status: reminder.cron ? 'active' : 'snoozed', ackedAt: new Date(), fireAt: reminder.cron ? reminder.fireAt : until },
    });
    await this.scheduler.at('reminder.fire', `reminder-${reminder.id}-snooze-${jobIdPart(cardId)}`, { reminderId: reminder.id }, until);
    await this.cards.update(
      cardId,
      (card, t) => withState(card, { status: 'snoozed', label: t.t('reminder.card.stateSnoozed', { until }), closed: true }),
      PRIORITY.interactive,
    );
    return until;
  }

  /** Re-creates jobs for open reminders whose job went missing (for example a Redis restored from an old backup). */
  async reconcileJobs(): Promise<number> {
    // Only what is needed (10,000 open reminders must not sit in memory as whole rows), and the
    // jobs looked up concurrently, not one round trip after another.
    const open = await this.db.reminder.findMany({ where: { status: { in: ['pending', 'active'] } }, select: { id: true, cron: true, timeZone: true, fireAt: true } });
    for (const r of open) {
      if (r.cron) await this.scheduler.recurring('reminder.fire', schedulerId(r.id), r.cron, r.timeZone, { reminderId: r.id });
    }
    const once = open.filter((r) => !r.cron && r.fireAt);
    const missing = await this.scheduler.missing(once.map((r) => onceJobId(r.id)));
    let restored = 0;
    for (const r of once) {
      if (!missing.has(onceJobId(r.id))) continue;
      await this.scheduler.at('reminder.fire', onceJobId(r.id), { reminderId: r.id }, r.fireAt!);
      restored++;
    }
    return restored;
  }

  private async scheduleRepeat(reminderId: number, repeatOf: string, repeat: number): Promise<void> {
    if (repeat > this.config.HUIWU_IMPORTANT_MAX_REPEATS) return;
    const when = new Date(Date.now() + this.config.HUIWU_IMPORTANT_REPEAT_SECONDS * 1000);
    await this.scheduler.at('reminder.fire', `reminder-${reminderId}-repeat-${jobIdPart(repeatOf)}-${repeat}`, { reminderId, repeatOf, repeat }, when);
  }

  private async removeJobs(reminder: ReminderRow): Promise<void> {
    if (reminder.cron) await this.scheduler.removeRecurring(schedulerId(reminder.id));
    await this.scheduler.cancel(onceJobId(reminder.id));
  }

  private async closeCards(reminderId: number, state: (t: Translator) => { status: string; label: string; closed: boolean }): Promise<void> {
    for (const card of await this.cards.byRef('reminder', String(reminderId))) {
      if (card.model.state?.closed) continue;
      await this.cards.update(card.id, (c, t) => withState(c, state(t)), PRIORITY.interactive);
    }
  }
}

/** How many due one-off reminders one job fires together. */
const FIRE_BATCH = 200;

function reminderCardId(reminderId: number, occurrence: string): string {
  return `rem-${reminderId}-${jobIdPart(occurrence)}`;
}

function onceJobId(id: number): string {
  return `reminder-${id}-once`;
}

function schedulerId(id: number): string {
  return `reminder-${id}`;
}

function deliveryTarget(r: ReminderRow): OutboundTarget {
  return r.targetKind === 'group' && r.targetConversationId
    ? { kind: 'conversation', conversationId: r.targetConversationId }
    : { kind: 'user', userId: r.targetUserId ?? r.creatorId };
}
