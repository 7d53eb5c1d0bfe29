/**
 * The port through which platform adapters keep what they need about a card we sent (the
 * platform's reference: message or task id, response code, current copy) and read its current
 * model, without touching the database themselves.
 */
import type { Card } from '../../cards/model.js';
import type { PrismaClient } from '../db/client.js';
import { sqliteDate, sqliteDirect } from '../db/sqlite-direct.js';
import type { CardRefPort } from '../platforms/types.js';

export class CardRefStore implements CardRefPort {
  constructor(private readonly db: PrismaClient) {}

  async get(cardId: string): Promise<{ platformRef: string | null; model: Card } | null> {
    const direct = sqliteDirect(this.db);
    const row = direct
      ? direct.get<{ platformRef: string | null; model: string }>('SELECT "platformRef", "model" FROM "Card" WHERE "id" = ?', cardId)
      : await this.db.card.findUnique({ where: { id: cardId }, select: { platformRef: true, model: true } });
    return row ? { platformRef: row.platformRef, model: JSON.parse(row.model) as Card } : null;
  }

  /** A card deleted meanwhile (pruned) is not an error: there is nothing left to update. */
  async setPlatformRef(cardId: string, platformRef: string): Promise<void> {
    const direct = sqliteDirect(this.db);
    if (direct) {
      direct.run('UPDATE "Card" SET "platformRef" = ?, "updatedAt" = ? WHERE "id" = ?', platformRef, sqliteDate(new Date()), cardId);
      return;
    }
    await this.db.card.updateMany({ where: { id: cardId }, data: { platformRef } });
  }
}
