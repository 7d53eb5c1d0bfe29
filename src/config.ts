/**
 * The only reader of `process.env`. Every variable is validated at start-up into a frozen,
 * typed object; a bad value stops the app with a message naming the variable.
 * Every variable is documented in `.env.example` and the README's configuration table.
 */
import { z } from 'zod';

const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `an integer between ${min} and ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `an integer between ${min} and ${max}`).max(max, `an integer between ${min} and ${max}`));

const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'an IANA time zone such as Asia/Shanghai');

const schema = z.object({
  /** HTTP port of the server (simulator page, callbacks, admin API). Default 3000. */
  PORT: int(1, 65535).default(3000),
  /** Interface to listen on. Default 127.0.0.1 (the simulator has no login). */
  HOST: z.string().min(1).default('127.0.0.1'),
  /** Zone for parsing and showing times; results never depend on the machine's zone. */
  HUIWU_TIMEZONE: timeZone.default('Asia/Shanghai'),
  /** SQLite database URL. Default file:./data/huiwu.db (relative to the project root). */
  DATABASE_URL: z.string().regex(/^file:.+/, 'a SQLite URL such as file:./data/huiwu.db').default('file:./data/huiwu.db'),
  /** Folder for the SQLite file's default location and the private Redis's data. Default ./data. */
  HUIWU_DATA_DIR: z.string().min(1).default('./data'),
  /** Redis URL. Unset: the app runs a private redis-server with its data under $HUIWU_DATA_DIR/redis. */
  REDIS_URL: z.string().regex(/^(rediss?:\/\/.+|unix:\/\/\/.+)/, 'a URL such as redis://127.0.0.1:6379 or unix:///path/redis.sock').optional(),
  /** Prefix of every BullMQ key, so several instances or test runs can share one Redis. */
  HUIWU_QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ or -').default('huiwu'),
  /** Log level of the app (fatal, error, warn, info, debug, trace, silent). */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Local simulator: `auto` runs it when no platform is configured; `on` always; `off` never. */
  HUIWU_SIMULATOR: z.enum(['auto', 'on', 'off']).default('auto'),
  /** Simulator: messages per second the outbound worker may deliver. */
  HUIWU_SIM_SEND_RATE: int(1, 100000).default(50),
  /** Messages per minute to one recipient (WeCom silently drops above 30 per member per minute). */
  HUIWU_RECIPIENT_LIMIT_PER_MINUTE: int(1, 10000).default(30),
  /** Attempts per outbound message before it is marked failed (exponential backoff between). */
  HUIWU_SEND_ATTEMPTS: int(1, 50).default(8),
  /** Base delay of the outbound exponential backoff, in milliseconds. */
  HUIWU_SEND_BACKOFF_MS: int(10, 600000).default(1000),
  /** Minutes a reminder's 稍后提醒 (snooze) button postpones it. */
  HUIWU_SNOOZE_MINUTES: int(1, 1440).default(10),
  /** Seconds between repeats of an important (重要) reminder until someone presses 知道了. */
  HUIWU_IMPORTANT_REPEAT_SECONDS: int(1, 86400).default(300),
  /** Maximum repeats of an important reminder after the first delivery. */
  HUIWU_IMPORTANT_MAX_REPEATS: int(0, 100).default(6),
});

export type Config = Readonly<z.infer<typeof schema>>;

export class ConfigError extends Error {}

/** Validates an environment (process.env by default). Throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input = Object.fromEntries(
    Object.keys(schema.shape).flatMap((key) => {
      const value = env[key];
      return value === undefined || value.trim() === '' ? [] : [[key, value.trim()]];
    }),
  );
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0]);
      return `${key}=${JSON.stringify(input[key] ?? '')} is invalid: expected ${issue.message}`;
    });
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return Object.freeze(parsed.data);
}
