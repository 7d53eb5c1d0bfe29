/**
 * Secrets that must exist outside local demo mode (only the simulator running): the PII key and
 * the admin API token. In demo mode they are generated once into the data folder, so a new user
 * needs no set-up and the demo database stays readable across restarts.
 */
import { hkdfSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, type Config } from './config.js';
import { backupKey } from './db/backup-file.js';
import { parsePiiKey } from './services/pii.js';

export interface Secrets {
  piiKey: Buffer;
  adminToken: string;
  /** Key of the database backups: HUIWU_BACKUP_KEY, else derived from the PII key. */
  backupKey: Buffer;
  /** Signs admission codes (src/services/admission.ts). */
  admissionKey: Buffer;
}

export function resolveSecrets(config: Config, demoMode: boolean): Secrets {
  const missing = [
    ...(config.HUIWU_PII_KEY ? [] : ['HUIWU_PII_KEY (openssl rand -hex 32)']),
    ...(config.HUIWU_ADMIN_TOKEN ? [] : ['HUIWU_ADMIN_TOKEN (at least 16 characters)']),
  ];
  if (!demoMode && missing.length > 0) {
    throw new ConfigError(`Invalid configuration: a chat platform is configured, so these must be set:\n  ${missing.join('\n  ')}`);
  }
  const dir = resolve(config.HUIWU_DATA_DIR);
  const piiKey = config.HUIWU_PII_KEY ? parsePiiKey(config.HUIWU_PII_KEY) : parsePiiKey(stored(dir, 'pii.key', () => randomBytes(32).toString('hex')));
  if (!piiKey) throw new ConfigError('Invalid configuration: HUIWU_PII_KEY must be 32 bytes (64 hex characters)');
  const adminToken = config.HUIWU_ADMIN_TOKEN ?? stored(dir, 'admin-token', () => randomBytes(24).toString('base64url'));
  const admissionKey = config.HUIWU_ADMISSION_KEY
    ? parsePiiKey(config.HUIWU_ADMISSION_KEY)
    : demoMode
      ? parsePiiKey(stored(dir, 'admission.key', () => randomBytes(32).toString('hex')))
      : Buffer.from(hkdfSync('sha256', piiKey, Buffer.alloc(0), 'huiwu admission codes v1', 32));
  if (!admissionKey) throw new ConfigError('Invalid configuration: HUIWU_ADMISSION_KEY must be 32 bytes (64 hex characters)');
  return { piiKey, adminToken, backupKey: backupKeyOf(config, piiKey), admissionKey };
}

/** The backup key for `piiKey` (also used by `npm run db:restore`, which reads the PII key without generating one). */
export function backupKeyOf(config: Config, piiKey: Buffer): Buffer {
  const configured = config.HUIWU_BACKUP_KEY ? parsePiiKey(config.HUIWU_BACKUP_KEY) : null;
  if (config.HUIWU_BACKUP_KEY && !configured) throw new ConfigError('Invalid configuration: HUIWU_BACKUP_KEY must be 32 bytes (64 hex characters)');
  return backupKey(configured, piiKey);
}

function stored(dir: string, name: string, make: () => string): string {
  const file = join(dir, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dir, { recursive: true });
  const value = make();
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  return value;
}
