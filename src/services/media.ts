/** Images we send (charts): stored once by content hash, referenced by id from outbound messages. */
import { createHash } from 'node:crypto';
import type { PrismaClient } from '../db/client.js';

export class MediaStore {
  constructor(private readonly db: PrismaClient) {}

  /** Stores a PNG and returns its id; the same bytes twice give the same id. */
  async putPng(data: Buffer): Promise<string> {
    const id = `png-${createHash('sha256').update(data).digest('hex').slice(0, 32)}`;
    await this.db.media.upsert({ where: { id }, create: { id, mime: 'image/png', data: new Uint8Array(data) }, update: { id } });
    return id;
  }

  async get(id: string): Promise<{ mime: string; data: Buffer } | null> {
    const row = await this.db.media.findUnique({ where: { id } });
    return row ? { mime: row.mime, data: Buffer.from(row.data) } : null;
  }
}
