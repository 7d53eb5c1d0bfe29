/** Inbound queue processor: one normalized event -> the router, at most once per platform event id. */
import type { Job } from 'bullmq';
import type { PrismaClient } from '../src/db/client.js';
import type { CardActionOutcome } from '../src/platforms/types.js';
import type { InboundSeal } from '../src/queue/inbound-seal.js';
import { alreadyProcessed, markProcessed } from '../src/queue/inbound-sink.js';
import type { InboundJob } from '../src/queue/queues.js';
import type { Router } from '../src/router/router.js';
import type { LocaleService } from '../src/services/locales.js';

export function inboundProcessor(router: Router, db: PrismaClient, locales: Pick<LocaleService, 'forUser'>, seal: InboundSeal) {
  return async (job: Job<InboundJob>): Promise<CardActionOutcome | null> => {
    const event = seal.open(job.data);
    if (await alreadyProcessed(db, event)) {
      return event.kind === 'card-action' ? { accepted: false, reason: (await locales.forUser(event.userId)).t('router.card.duplicate') } : null;
    }
    // Marked after handling: a crash in between re-runs the handler, whose replies have deterministic ids.
    const outcome = event.kind === 'message' ? (await router.handleMessage(event), null) : await router.handleCardAction(event);
    await markProcessed(db, event);
    return outcome;
  };
}
