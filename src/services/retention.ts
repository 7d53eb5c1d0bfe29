/**
 * Retention: rows that only record the past are deleted after a configured number of days, so the
 * database stops growing with every message. Never deleted: pending or failed outbound messages,
 * open cards (and cards a meeting or an attendee still points at, or with a send still pending),
 * simulator messages that show an open card, and inbound event ids younger than the platforms'
 * redelivery window (at least 7 days, enforced by the configuration). Meeting attachments and
 * archive packs go HUIWU_ARCHIVE_RETENTION_DAYS after their meeting ended.
 */
import type { Logger } from 'pino';
import type { Card } from '../../cards/model.js';
import type { Config } from '../config.js';
import type { PrismaClient } from '../db/client.js';
import { pruneArchivePacks } from './archive-files.js';
import { pruneAttachments } from './attachments.js';

export interface PruneCounts {
  simMessages: number;
  inboundEvents: number;
  outboundMessages: number;
  cards: number;
  /** Web sign-in links and sessions expired for more than a day. */
  signIns: number;
  attachments: number;
  /** Archive packs whose file was removed (the row stays, with its downloads). */
  archivePacks: number;
}

const DAY_MS = 86_400_000;
/** Rows examined per query (SQLite allows 999 bound parameters). */
const BATCH = 300;

export class Retention {
  constructor(
    private readonly db: PrismaClient,
    private readonly config: Config,
    private readonly log: Logger,
  ) {}

  async prune(now: Date = new Date()): Promise<PruneCounts> {
    const before = (days: number) => new Date(now.getTime() - days * DAY_MS);
    const c = this.config;
    const counts: PruneCounts = {
      simMessages: c.HUIWU_RETENTION_DAYS_SIM_MESSAGES > 0 ? await this.simMessages(before(c.HUIWU_RETENTION_DAYS_SIM_MESSAGES)) : 0,
      inboundEvents: (await this.db.inboundEvent.deleteMany({ where: { createdAt: { lt: before(c.HUIWU_RETENTION_DAYS_INBOUND_EVENTS) } } })).count,
      outboundMessages:
        c.HUIWU_RETENTION_DAYS_OUTBOUND > 0
          ? (await this.db.outboundMessage.deleteMany({ where: { status: 'sent', sentAt: { lt: before(c.HUIWU_RETENTION_DAYS_OUTBOUND) } } })).count
          : 0,
      cards: c.HUIWU_RETENTION_DAYS_CARDS > 0 ? await this.closedCards(before(c.HUIWU_RETENTION_DAYS_CARDS)) : 0,
      signIns:
        (await this.db.pageLink.deleteMany({ where: { expiresAt: { lt: before(1) } } })).count +
        (await this.db.pageSession.deleteMany({ where: { expiresAt: { lt: before(1) } } })).count,
      attachments: await pruneAttachments(this.db, c.HUIWU_DATA_DIR, c.HUIWU_ARCHIVE_RETENTION_DAYS, now),
      archivePacks: await pruneArchivePacks(this.db, c.HUIWU_DATA_DIR, c.HUIWU_ARCHIVE_RETENTION_DAYS, now),
    };
    this.log.info({ ...counts }, 'retention: old rows pruned');
    return counts;
  }

  /** Old simulator messages, except those showing a card that still accepts actions. */
  private async simMessages(cutoff: Date): Promise<number> {
    let deleted = (await this.db.simMessage.deleteMany({ where: { createdAt: { lt: cutoff }, cardId: null } })).count;
    let after = 0;
    for (;;) {
      const rows = await this.db.simMessage.findMany({
        where: { createdAt: { lt: cutoff }, cardId: { not: null }, id: { gt: after } },
        select: { id: true, card: true },
        orderBy: { id: 'asc' },
        take: BATCH,
      });
      if (rows.length === 0) return deleted;
      after = rows.at(-1)!.id;
      const closed = rows.filter((r) => isClosed(r.card)).map((r) => r.id);
      if (closed.length > 0) deleted += (await this.db.simMessage.deleteMany({ where: { id: { in: closed } } })).count;
    }
  }

  /** Closed cards unchanged since `cutoff`, that nothing still points at or sends. */
  private async closedCards(cutoff: Date): Promise<number> {
    let deleted = 0;
    let after = '';
    for (;;) {
      const rows = await this.db.card.findMany({
        where: { updatedAt: { lt: cutoff }, id: { gt: after } },
        select: { id: true, model: true },
        orderBy: { id: 'asc' },
        take: BATCH,
      });
      if (rows.length === 0) return deleted;
      after = rows.at(-1)!.id;
      const closed = rows.filter((r) => isClosed(r.model)).map((r) => r.id);
      if (closed.length === 0) continue;
      const keep = await this.stillNeeded(closed);
      const doomed = closed.filter((id) => !keep.has(id));
      if (doomed.length > 0) deleted += (await this.db.card.deleteMany({ where: { id: { in: doomed } } })).count;
    }
  }

  private async stillNeeded(cardIds: string[]): Promise<Set<string>> {
    const keep = new Set<string>();
    const meetings = await this.db.meeting.findMany({ where: { statusCardId: { in: cardIds } }, select: { statusCardId: true } });
    for (const m of meetings) keep.add(m.statusCardId!);
    const attendees = await this.db.attendee.findMany({ where: { cardId: { in: cardIds } }, select: { cardId: true } });
    for (const a of attendees) keep.add(a.cardId!);
    // A send or update still pending reads the card when it runs.
    const pending = await this.db.outboundMessage.findMany({
      where: { status: 'pending', OR: cardIds.flatMap((id) => [{ id: `card-${id}` }, { id: { startsWith: `cardupd-${id}-v` } }]) },
      select: { id: true },
    });
    for (const p of pending) {
      const id = cardIds.find((c) => p.id === `card-${c}` || p.id.startsWith(`cardupd-${c}-v`));
      if (id) keep.add(id);
    }
    return keep;
  }
}

function isClosed(model: string | null): boolean {
  if (!model) return false;
  try {
    return (JSON.parse(model) as Card).state?.closed === true;
  } catch {
    return false;
  }
}
