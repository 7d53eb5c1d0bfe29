/**
 * The backup file format, shared by the backup job and `npm run db:restore`:
 * `HUIWUBK1` ‖ 12-byte IV ‖ AES-256-GCM ciphertext of the SQLite file ‖ 16-byte tag, next to a
 * `<name>.sha256` file in `sha256sum` format (so `sha256sum -c` checks it too). The tag comes last
 * so the file is written as a stream; a wrong key or a changed byte fails the tag check.
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const MAGIC = Buffer.from('HUIWUBK1');
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const BACKUP_SUFFIX = '.db.enc';
export const CHECKSUM_SUFFIX = '.sha256';

/** `huiwu-20261201T080000Z.db.enc`: names sort by time, so the newest is last. */
export function backupName(at: Date): string {
  return `huiwu-${at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}${BACKUP_SUFFIX}`;
}

export function isBackupName(name: string): boolean {
  return /^huiwu-\d{8}T\d{6}Z\.db\.enc$/.test(name);
}

/**
 * HUIWU_BACKUP_KEY when set, else a key derived from the PII key: one secret to keep still opens
 * the backups, and a backup key never equals the key of the personal data inside.
 */
export function backupKey(configured: Buffer | null, piiKey: Buffer): Buffer {
  return configured ?? Buffer.from(hkdfSync('sha256', piiKey, Buffer.alloc(0), 'huiwu-backup-v1', 32));
}

/** Encrypts `source` into `target` as a stream; returns the SHA-256 (hex) of what was written. */
export async function encryptFile(source: string, target: string, key: Buffer): Promise<string> {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const hash = createHash('sha256');
  const out = createWriteStream(target, { mode: 0o600 });
  const tee = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  const header = Buffer.concat([MAGIC, iv]);
  hash.update(header);
  out.write(header);
  await pipeline(
    createReadStream(source),
    cipher,
    new Transform({
      transform(chunk: Buffer, _enc, done) {
        done(null, chunk);
      },
      flush(done) {
        // The tag exists only once the cipher is final, which is when this stream flushes.
        done(null, cipher.getAuthTag());
      },
    }),
    tee,
    out,
  );
  return hash.digest('hex');
}

/** Decrypts `source` into `target`; throws when the key is wrong or the file was changed. */
export async function decryptFile(source: string, target: string, key: Buffer): Promise<void> {
  const handle = await open(source, 'r');
  let size: number;
  const head = Buffer.alloc(MAGIC.length + IV_BYTES);
  const tag = Buffer.alloc(TAG_BYTES);
  try {
    size = (await handle.stat()).size;
    if (size < head.length + TAG_BYTES) throw new BackupFileError('not a Huiwu backup (too short)');
    await handle.read(head, 0, head.length, 0);
    await handle.read(tag, 0, TAG_BYTES, size - TAG_BYTES);
  } finally {
    await handle.close();
  }
  if (!head.subarray(0, MAGIC.length).equals(MAGIC)) throw new BackupFileError('not a Huiwu backup (unknown header)');
  const decipher = createDecipheriv('aes-256-gcm', key, head.subarray(MAGIC.length));
  decipher.setAuthTag(tag);
  try {
    await pipeline(createReadStream(source, { start: head.length, end: size - TAG_BYTES - 1 }), decipher, createWriteStream(target, { mode: 0o600 }));
  } catch {
    throw new BackupFileError('the backup cannot be decrypted: wrong key (HUIWU_BACKUP_KEY / HUIWU_PII_KEY) or a damaged file');
  }
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/** `sha256sum` format: `<hex>  <name>`. */
export function checksumLine(hex: string, name: string): string {
  return `${hex}  ${name}\n`;
}

/** The expected checksum from a `.sha256` file, or null when it is missing or unreadable. */
export async function readChecksum(file: string): Promise<string | null> {
  const text = await readFile(`${file}${CHECKSUM_SUFFIX}`, 'utf8').catch(() => null);
  return /^([0-9a-f]{64})\s/.exec(text ?? '')?.[1] ?? null;
}

export class BackupFileError extends Error {}
