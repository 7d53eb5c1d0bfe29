/**
 * Outbound queue processor: loads the stored message, applies the per-recipient limit and the
 * platform's send rate, sends through the platform client, and records the result. A message already sent is skipped,
 * so a retried or duplicated job never sends twice.
 */
import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import type { Card } from '../cards/model.js';
import { type OutboundContent, type OutboundTarget, PlatformError, type PlatformClient } from '../src/platforms/types.js';
import type { OutboundJob } from '../src/queue/queues.js';
import type { RecipientLimiter } from '../src/queue/recipient-limiter.js';
import type { StoredContent } from '../src/services/outbox.js';
import type { Services } from '../src/services/services.js';

/** A group chat has a higher per-member allowance than one person's DM. */
async function recipientLimit(services: Services, message: { targetKind: string; targetId: string }): Promise<number> {
  const { config, directory } = services;
  if (message.targetKind !== 'conversation') return config.HUIWU_RECIPIENT_LIMIT_PER_MINUTE;
  const conversation = await directory.conversation(message.targetId);
  return conversation?.type === 'group' ? config.HUIWU_GROUP_LIMIT_PER_MINUTE : config.HUIWU_RECIPIENT_LIMIT_PER_MINUTE;
}

/** How long a card's picture waits before looking again whether its card has been sent. */
const COMPANION_WAIT_MS = 250;

/** How many throttle pauses one message may wait out before it counts as failed. */
const MAX_THROTTLED_WAITS = 30;

/** `pace` resolves when a send of that priority may go out at the platform's rate (SendPacer). */
export function outboundProcessor(services: Services, platform: PlatformClient, limiter: RecipientLimiter, pace: (priority: number | undefined) => Promise<void>) {
  const { db, cards, cardRefs, log, outbox } = services;
  return async (job: Job<OutboundJob>, token?: string): Promise<string> => {
    const message = await outbox.message(job.data.messageId);
    if (!message || message.status === 'sent') return 'skipped';

    // A card's picture goes out after its card (both are queued together and sent concurrently).
    const queued = JSON.parse(message.payload) as StoredContent;
    const companionOf = queued.type === 'image' ? queued.companionOf : undefined;
    if (companionOf) {
      const cardMessage = await outbox.message(`card-${companionOf}`);
      if (cardMessage?.status === 'pending') {
        await job.moveToDelayed(Date.now() + COMPANION_WAIT_MS, token);
        throw new DelayedError();
      }
    }

    const waitMs = await limiter.reserve(platform.name, message.targetId, await recipientLimit(services, message));
    if (waitMs > 0) {
      await job.moveToDelayed(Date.now() + waitMs, token);
      throw new DelayedError();
    }

    // The platform's rate: this send's slot (a backlog waits a few slots here, not in fixed windows).
    await pace(job.opts.priority);

    const target: OutboundTarget =
      message.targetKind === 'user' ? { kind: 'user', userId: message.targetId } : { kind: 'conversation', conversationId: message.targetId };
    const stored = JSON.parse(message.payload) as StoredContent;
    let card: Card | null = null;
    let content: OutboundContent;
    if (stored.type === 'card') {
      card = (await cards.get(stored.cardId))?.model ?? null;
      if (!card) throw new UnrecoverableError(`card ${stored.cardId} is missing`);
      content = { type: 'card', card };
    } else {
      content = stored;
    }

    try {
      const result =
        message.kind === 'card-update' && card
          ? await platform.updateCard(card, target, (await cardRefs.get(card.id))?.platformRef ?? null, message.id)
          : await platform.send(target, content, message.id);
      if (card && result.platformRef && message.kind !== 'card-update') await cardRefs.setPlatformRef(card.id, result.platformRef);
      await outbox.markSent(message.id);
      return 'sent';
    } catch (error) {
      // Throttled with a known pause (WeCom 45009, DingTalk QPS 403): wait it out without spending
      // an attempt, up to a bound so a platform that never recovers still ends in `failed`.
      if (error instanceof PlatformError && error.action === 'retry' && error.retryAfterMs && message.attempts < MAX_THROTTLED_WAITS) {
        await db.outboundMessage.update({ where: { id: message.id }, data: { attempts: { increment: 1 }, lastError: error.message } });
        log.warn({ messageId: message.id, retryAfterMs: error.retryAfterMs }, 'platform throttled; send postponed');
        await job.moveToDelayed(Date.now() + error.retryAfterMs, token);
        throw new DelayedError();
      }
      const final = error instanceof PlatformError && error.action === 'give-up';
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      await db.outboundMessage.update({
        where: { id: message.id },
        data: { attempts: { increment: 1 }, lastError: String(error instanceof Error ? error.message : error), status: final || lastAttempt ? 'failed' : 'pending' },
      });
      log.warn({ err: error, messageId: message.id, attempt: job.attemptsMade + 1 }, final ? 'send failed for good' : 'send failed, will retry');
      throw final ? new UnrecoverableError(error instanceof Error ? error.message : String(error)) : error;
    }
  };
}
