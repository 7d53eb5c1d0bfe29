/**
 * The simulator's chat history: one row per message shown on the page. Every command stores two
 * (what was typed, the bot's reply), so on SQLite the rows are written without the ORM
 * (src/db/sqlite-direct.ts); PostgreSQL keeps the Prisma form.
 */
import type { PrismaClient } from '../../db/client.js';
import { sqliteDate, sqliteDirect } from '../../db/sqlite-direct.js';

export interface NewSimMessage {
  conversationId: string;
  fromId: string;
  text?: string | null;
  image?: string | null;
  cardId?: string | null;
  card?: string | null;
}

const INSERT =
  'INSERT INTO "SimMessage" ("conversationId", "fromId", "text", "image", "cardId", "card", "outboundId", "createdAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?)';

export class SimMessages {
  constructor(private readonly db: PrismaClient) {}

  async add(message: NewSimMessage): Promise<{ id: number; createdAt: Date }> {
    const direct = sqliteDirect(this.db);
    if (direct) {
      const createdAt = new Date();
      const row = direct.get<{ id: number }>(`${INSERT} RETURNING "id"`, ...values(message, null, createdAt))!;
      return { id: row.id, createdAt };
    }
    return this.db.simMessage.create({ data: message, select: { id: true, createdAt: true } });
  }

  /** Stores the message sent under `outboundId` once, like a platform's idempotency key; returns its row id. */
  async addOnce(outboundId: string, message: NewSimMessage): Promise<number> {
    const direct = sqliteDirect(this.db);
    if (direct) {
      const inserted = direct.get<{ id: number }>(`${INSERT} ON CONFLICT ("outboundId") DO NOTHING RETURNING "id"`, ...values(message, outboundId, new Date()));
      return inserted?.id ?? direct.get<{ id: number }>('SELECT "id" FROM "SimMessage" WHERE "outboundId" = ?', outboundId)!.id;
    }
    // `update` names the key itself (a no-op) so Prisma emits one INSERT ... ON CONFLICT; with an
    // empty update it runs a transaction of five statements, each a round trip on PostgreSQL.
    const row = await this.db.simMessage.upsert({ where: { outboundId }, create: { ...message, outboundId }, update: { outboundId }, select: { id: true } });
    return row.id;
  }
}

function values(m: NewSimMessage, outboundId: string | null, createdAt: Date) {
  return [m.conversationId, m.fromId, m.text ?? null, m.image ?? null, m.cardId ?? null, m.card ?? null, outboundId, sqliteDate(createdAt)] as const;
}
