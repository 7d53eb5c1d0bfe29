/**
 * Cards we sent, with their current neutral model. Sending stores the card then queues it;
 * an update bumps the version and queues a card-update keyed by that version, so a burst of
 * updates sends the latest state and never loses one.
 */
import type { Card } from '../../cards/model.js';
import type { PrismaClient } from '../db/client.js';
import { sqliteDate, sqliteDirect } from '../db/sqlite-direct.js';
import type { OutboundTarget } from '../platforms/types.js';
import { PRIORITY, type Priority } from '../queue/queues.js';
import type { Translator } from '../i18n/translator.js';
import type { LocaleService } from './locales.js';
import { type Outbox, targetId } from './outbox.js';

export interface SendCardOptions {
  kind: string;
  refId: string;
  target: OutboundTarget;
  /** Only this user may act on the card (null: anyone who can see it). */
  recipientUserId?: string | null;
  /** Default: interactive (a reply or a card someone is waiting for). */
  priority?: Priority;
}

/** A card we sent, as stored: its neutral model and who may act on it. */
export interface StoredCard {
  id: string;
  kind: string;
  refId: string;
  recipientUserId: string | null;
  /** Where the card was sent. */
  target: OutboundTarget;
  model: Card;
}

export class CardService {
  constructor(
    private readonly db: PrismaClient,
    private readonly outbox: Outbox,
    private readonly locales: LocaleService,
  ) {}

  /** Sends `card` once: the card id is deterministic, so a repeated call is a no-op. */
  async send(card: Card, options: SendCardOptions): Promise<void> {
    await this.sendMany([{ card, options }]);
  }

  async sendMany(items: ReadonlyArray<{ card: Card; options: SendCardOptions }>): Promise<void> {
    if (items.length === 0) return;
    await this.storeNew(
      items.map(({ card, options }) => ({
        id: card.id,
        kind: options.kind,
        refId: options.refId,
        targetKind: options.target.kind,
        targetId: targetId(options.target),
        recipientUserId: options.recipientUserId ?? null,
        model: JSON.stringify(card),
      })),
    );
    await this.outbox.enqueueMany(
      items.flatMap(({ card, options }) => [
        {
          id: `card-${card.id}`,
          target: options.target,
          content: { type: 'card' as const, cardId: card.id },
          priority: options.priority ?? PRIORITY.interactive,
        },
        ...(card.image ? [companionImage(card, options.target, options.priority ?? PRIORITY.interactive)] : []),
      ]),
    );
  }

  /** Stores the cards not stored yet; a stored one keeps its current state. */
  private async storeNew(rows: NewCardRow[]): Promise<void> {
    const direct = sqliteDirect(this.db);
    if (direct) {
      const now = sqliteDate(new Date());
      direct.atomically(rows.length, () => {
        for (const r of rows) {
          direct.run(
            'INSERT INTO "Card" ("id", "kind", "refId", "targetKind", "targetId", "recipientUserId", "model", "version", "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?) ON CONFLICT ("id") DO NOTHING',
            r.id,
            r.kind,
            r.refId,
            r.targetKind,
            r.targetId,
            r.recipientUserId,
            r.model,
            now,
            now,
          );
        }
      });
      return;
    }
    const existing = new Set((await this.db.card.findMany({ where: { id: { in: rows.map((r) => r.id) } }, select: { id: true } })).map((c) => c.id));
    const fresh = rows.filter((r) => !existing.has(r.id));
    if (fresh.length > 0) await this.db.card.createMany({ data: fresh });
  }

  /** True once the card's message is stored to be sent (it is then sent, even after a crash). */
  async isQueued(cardId: string): Promise<boolean> {
    return (await this.outbox.message(`card-${cardId}`)) !== null;
  }

  async get(id: string): Promise<StoredCard | null> {
    const direct = sqliteDirect(this.db);
    const row = direct
      ? direct.get<CardRow>('SELECT "id", "kind", "refId", "recipientUserId", "targetKind", "targetId", "model" FROM "Card" WHERE "id" = ?', id)
      : await this.db.card.findUnique({ where: { id } });
    return row ? storedCard(row) : null;
  }

  async byRef(kind: string, refId: string): Promise<StoredCard[]> {
    const rows = await this.db.card.findMany({ where: { kind, refId }, orderBy: { createdAt: 'asc' } });
    return rows.map(storedCard);
  }

  /** Applies `change` to the stored card and queues the platform update. `change` gets the card reader's translator. */
  async update(id: string, change: (card: Card, t: Translator) => Card, priority: Priority = PRIORITY.interactive): Promise<Card> {
    const row = await this.db.card.findUnique({ where: { id } });
    if (!row) throw new Error(`Unknown card ${id}`);
    const target: OutboundTarget =
      row.targetKind === 'user' ? { kind: 'user', userId: row.targetId } : { kind: 'conversation', conversationId: row.targetId };
    const next = change(JSON.parse(row.model) as Card, await this.locales.forTarget(target));
    const updated = await this.db.card.update({ where: { id }, data: { model: JSON.stringify(next), version: { increment: 1 } } });
    await this.outbox.enqueue({
      id: `cardupd-${id}-v${updated.version}`,
      target,
      content: { type: 'card', cardId: id },
      kind: 'card-update',
      priority,
    });
    // A new picture (a re-issued QR code) reaches platforms that cannot update a card's image.
    const before = (JSON.parse(row.model) as Card).image?.mediaId;
    if (next.image && next.image.mediaId !== before) await this.outbox.enqueue(companionImage(next, target, priority));
    return next;
  }
}

/** The card's picture as its own message, keyed by card and picture so each picture goes out once. */
function companionImage(card: Card, target: OutboundTarget, priority: Priority) {
  const image = card.image!;
  return { id: `cardimg-${card.id}-${image.mediaId}`, target, content: { type: 'image' as const, mediaId: image.mediaId, alt: image.alt, companionOf: card.id }, priority };
}

type NewCardRow = { id: string; kind: string; refId: string; targetKind: string; targetId: string; recipientUserId: string | null; model: string };

type CardRow = { id: string; kind: string; refId: string; recipientUserId: string | null; targetKind: string; targetId: string; model: string };

function storedCard(row: CardRow): StoredCard {
  const target: OutboundTarget = row.targetKind === 'user' ? { kind: 'user', userId: row.targetId } : { kind: 'conversation', conversationId: row.targetId };
  return { id: row.id, kind: row.kind, refId: row.refId, recipientUserId: row.recipientUserId, target, model: JSON.parse(row.model) as Card };
}
