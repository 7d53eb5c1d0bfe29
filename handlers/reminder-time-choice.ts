/**
 * A reminder whose time has two readings ("提醒 8点 喝水" at 09:00) is asked, not guessed: a card
 * with one button per reading, only for the person who asked. The pending reminder travels in the
 * card's reference (no half-made reminder row exists), and a click creates it at the chosen time.
 */
import { TIME_CHOICE_ACTIONS, timeChoiceCard, timeChosenState } from '../cards/time-choice-card.js';
import { type CardActionSpec, type CommandContext, UserError } from '../src/router/types.js';
import type { ReminderTarget } from '../src/services/reminders.js';
import type { TimeAmbiguity } from '../src/time/parse-time.js';
import { createReminders, type ReminderRequest } from './reminder-create.js';

const CARD_KIND = 'reminder-time';

/** What the card's `refId` holds: the reminder without its time, the two times (ISO), and whether they are deadlines. */
interface PendingReminder extends ReminderRequest {
  options: [string, string];
  by: boolean;
}

/** Sends the "which time?" card to the conversation; the reply is the card itself. */
export async function offerTimeChoice(ctx: CommandContext, request: ReminderRequest, parsed: TimeAmbiguity): Promise<void> {
  const { event, services } = ctx;
  const pending: PendingReminder = { ...request, options: [parsed.options[0].toISOString(), parsed.options[1].toISOString()], by: parsed.by };
  const cardId = `remtime-${event.platform}-${event.eventId}`;
  // A reply to the person who asked, in their language like every reply.
  const card = timeChoiceCard(ctx.t, { cardId, matched: parsed.matched, text: request.text, choices: parsed.choices });
  await services.cards.send(card, {
    kind: CARD_KIND,
    refId: JSON.stringify(pending),
    target: { kind: 'conversation', conversationId: ctx.conversation.id },
    recipientUserId: ctx.user.id,
  });
}

function pendingOf(refId: string): PendingReminder {
  const p = JSON.parse(refId) as PendingReminder;
  const target = (t: ReminderTarget) => (t.kind === 'user' ? typeof t.userId === 'string' : typeof t.conversationId === 'string');
  if (!Array.isArray(p.targets) || !p.targets.every(target) || p.options?.length !== 2) throw new Error(`Malformed pending reminder ${refId}`);
  return p;
}

/** One action per button: the first and the second reading. */
export const reminderTimeChoiceActions: CardActionSpec[] = TIME_CHOICE_ACTIONS.map((key, index) => ({
  key,
  async handle({ card, user, services, t, now }) {
    const pending = pendingOf(card.refId);
    const at = new Date(pending.options[index]!);
    if (at.getTime() <= now.getTime()) throw new UserError('E_TIME_PAST', { at });
    const { ids, reply } = await createReminders({ services, t, user }, pending, { kind: 'once', at }, pending.by === true);
    await services.cards.update(card.id, (c, reader) => ({ ...c, state: timeChosenState(reader, ids, at) }));
    return { accepted: true, message: reply };
  },
}));
