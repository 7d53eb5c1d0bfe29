/**
 * The only reader of `process.env`. Every variable is validated at start-up into a frozen,
 * typed object; a bad value stops the app with a message naming the variable.
 * Every variable is documented in `.env.example` and the README's configuration table.
 */
import { z } from 'zod';
import { catalogs, type Locale } from './i18n/catalog.js';

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

/** `3d,1d,12h,30m` (s for seconds too): durations before a meeting's start. */
const offsets = z
  .string()
  .regex(/^(\d+[dhms])(,\d+[dhms])*$|^$/, 'a comma-separated list of durations such as 3d,1d,2h,30m (or empty)')
  .transform((text) => (text === '' ? [] : text.split(',').map(parseOffset)));

const duration = z
  .string()
  .regex(/^\d+[dhms]$/, 'a duration such as 2h, 30m or 1d')
  .transform(parseOffset);

/** Exactly four durations, for P1,P2,P3,P4 (for example 2m,5m,15m,60m). */
const fourDurations = z
  .string()
  .regex(/^\d+[dhms](,\d+[dhms]){3}$/, 'four comma-separated durations for P1,P2,P3,P4 such as 2m,5m,15m,60m')
  .transform((text) => text.split(',').map(parseOffset));

export interface Offset {
  /** As written, e.g. `3d`: part of job ids. */
  key: string;
  ms: number;
}

function parseOffset(key: string): Offset {
  const n = Number(key.slice(0, -1));
  const unit = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 }[key.slice(-1) as 'd' | 'h' | 'm' | 's'];
  return { key, ms: n * unit };
}

const schema = z.object({
  /** HTTP port of the server (simulator page, callbacks, admin API). Default 3000. */
  PORT: int(1, 65535).default(3000),
  /** Interface to listen on. Default 127.0.0.1 (the simulator has no login). */
  HOST: z.string().min(1).default('127.0.0.1'),
  /** Zone for parsing and showing times; results never depend on the machine's zone. */
  HUIWU_TIMEZONE: timeZone.default('Asia/Shanghai'),
  /**
   * Administrators from the start, as `platform:userid` (`wecom:zhangsan,dingtalk:0123`), comma-separated:
   * on WeCom and DingTalk nobody holds a role until an administrator grants it (`角色 授予`).
   * Roles given here cannot be revoked by command.
   */
  HUIWU_ADMINS: z
    .string()
    .regex(/^(simulator|wecom|dingtalk):[^,\s]+(,(simulator|wecom|dingtalk):[^,\s]+)*$/, 'comma-separated platform:userid, e.g. wecom:zhangsan,dingtalk:0123')
    .transform((t) => t.split(','))
    .optional(),
  /** Reply language for people and groups without their own setting (`语言` / `language`). Default zh-CN. */
  HUIWU_LOCALE: z.enum(['zh-CN', 'en']).default('zh-CN'),
  /**
   * The database: SQLite (`file:./data/huiwu.db`, relative to the project root; the default) or
   * PostgreSQL >= 15 (`postgresql://user:password@host:5432/huiwu`). Migrations of either apply at start.
   */
  DATABASE_URL: z
    .string()
    .regex(/^(file:.+|postgres(ql)?:\/\/.+)$/, 'a SQLite URL such as file:./data/huiwu.db or a PostgreSQL URL such as postgresql://huiwu@127.0.0.1:5432/huiwu')
    .default('file:./data/huiwu.db'),
  /** PostgreSQL only: connections this instance keeps open to the database. */
  HUIWU_DB_POOL_SIZE: int(1, 500).default(10),
  /**
   * SQLite only: when a commit reaches the disk. `normal` (default): the write-ahead log is synced
   * at checkpoints, so a commit survives the process being killed but the last ones may be lost
   * if the machine loses power (as Redis with appendfsync everysec). `full`: every commit waits
   * for the disk (~4 ms on this VM, with the event loop blocked meanwhile).
   */
  HUIWU_SQLITE_SYNC: z.enum(['normal', 'full']).default('normal'),
  /** Folder for the SQLite file's default location and the private Redis's data. Default ./data. */
  HUIWU_DATA_DIR: z.string().min(1).default('./data'),
  /** Redis URL. Unset: the app runs a private redis-server with its data under $HUIWU_DATA_DIR/redis. */
  REDIS_URL: z
    .string()
    .regex(
      /^(rediss?:\/\/.+|unix:\/\/\/.+|redis-sentinel:\/\/[^/]+\/[^/?]+.*|redis-cluster:\/\/.+)/,
      'a URL such as redis://127.0.0.1:6379, unix:///path/redis.sock, redis-sentinel://h1:26379,h2:26379/mymaster or redis-cluster://h1:7000,h2:7001',
    )
    .optional(),
  /** Extra ioredis options as a JSON object (e.g. {"connectTimeout":5000}), for every REDIS_URL form. Default none. */
  HUIWU_REDIS_OPTIONS: z
    .string()
    .transform((text, ctx) => {
      try {
        const value: unknown = JSON.parse(text);
        if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
      } catch {
        // reported below
      }
      ctx.addIssue({ code: 'custom', message: 'a JSON object of ioredis options, such as {"connectTimeout":5000}' });
      return z.NEVER;
    })
    .default({}),
  /**
   * Several instances: how long a lease on single-owner work (the WeCom bot connection, start-up
   * recovery, scheduler registration) lasts without renewal. Another instance takes over within
   * about 4/3 of it after the holder dies. Default 15000 ms.
   */
  HUIWU_LEASE_TTL_MS: int(300, 60000).default(15000),
  /**
   * What this process runs: `all` (default) the HTTP server, the platform connections and the queue
   * workers; `web` the HTTP server and the platform entrances only (no queue workers, no lease work);
   * `worker` the queue workers and the lease work (recovery, schedulers, the WeCom bot connection),
   * without listening on HTTP. `web` and `worker` processes share one Redis and one database.
   */
  HUIWU_ROLE: z.enum(['all', 'web', 'worker']).default('all'),
  /**
   * Worker processes `npm start` runs beside itself (0: none). Above 0 the started process is the
   * `web` one and spawns that many `worker` children on the same Redis and database, restarting one
   * that dies. Each costs a process's memory (about 150 MB); worth it when commands and sends
   * compete with HTTP callbacks for one core.
   */
  HUIWU_WORKER_PROCESSES: int(0, 64).default(0),
  /** Prefix of every BullMQ key, so several instances or test runs can share one Redis. */
  HUIWU_QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ or -').default('huiwu'),
  /** Log level of the app (fatal, error, warn, info, debug, trace, silent). */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Local simulator: `auto` runs it when no platform is configured; `on` always; `off` never. */
  HUIWU_SIMULATOR: z.enum(['auto', 'on', 'off']).default('auto'),
  /** Simulator: messages per second the outbound worker may deliver. */
  HUIWU_SIM_SEND_RATE: int(1, 100000).default(50),
  /** Messages per minute to one recipient (WeCom silently drops above 30 per member per minute). */
  HUIWU_RECIPIENT_LIMIT_PER_MINUTE: int(1, 1000000).default(30),
  /** Messages per minute to one group chat (WeCom drops above 200 per member per minute in a group). */
  HUIWU_GROUP_LIMIT_PER_MINUTE: int(1, 1000000).default(120),
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

  // ---- Meetings, RSVP and check-in ----
  /** Before a meeting's start, when non-responders get follow-ups (never decliners). */
  HUIWU_RSVP_FOLLOWUPS: offsets.default([parseOffset('3d'), parseOffset('1d')]),
  /** Before a meeting's start, when confirmed attendees are reminded. */
  HUIWU_MEETING_REMINDERS: offsets.default([parseOffset('1d'), parseOffset('1h')]),
  /** Answers to an invitation can be changed until this long before the start. */
  HUIWU_RSVP_CUTOFF: duration.default(parseOffset('2h')),
  /** How long before the start the check-in cards go out. */
  HUIWU_CHECKIN_OPENS: duration.default(parseOffset('30m')),
  /** Check-in speed target shown on the status card (people per minute at peak). */
  HUIWU_CHECKIN_TARGET_PER_MINUTE: int(1, 10000).default(20),
  /** A burst of answers refreshes the live-count card at most once per this many ms. */
  HUIWU_STATUS_REFRESH_MS: int(100, 600000).default(2000),
  /** Interval of the fan-out progress updates (已发送 1200/5000) in the group, in ms. */
  HUIWU_FANOUT_PROGRESS_MS: int(200, 600000).default(3000),
  /** Start a satisfaction survey automatically when a meeting ends. */
  HUIWU_SURVEY_AUTO: z.enum(['on', 'off']).default('on'),
  /** Who gets an automatic survey: attendees who checked in, or everyone who confirmed. */
  HUIWU_SURVEY_AUDIENCE: z.enum(['checked-in', 'confirmed']).default('checked-in'),
  /** Rated dimensions, comma-separated. Default: `defaults.surveyDimensions` of the HUIWU_LOCALE catalogue. */
  HUIWU_SURVEY_DIMENSIONS: z
    .string()
    .regex(/^[^,]{1,20}(,[^,]{1,20}){0,9}$/, '1 to 10 comma-separated names of up to 20 characters')
    .transform((t) => t.split(',').map((d) => d.trim()))
    .optional(),
  /** Font file for Chinese labels in chart images (default: Debian's WenQuanYi Micro Hei or Noto CJK). */
  HUIWU_CJK_FONT: z.string().min(1).optional(),
  /** How long a survey stays open. */
  HUIWU_SURVEY_DURATION: duration.default(parseOffset('2d')),
  /** After a survey starts, when non-respondents are reminded. */
  HUIWU_SURVEY_REMINDERS: offsets.default([parseOffset('4h'), parseOffset('1d')]),
  /** Satisfaction target (of 5): below it, organizers are alerted with the lowest dimensions. */
  HUIWU_SATISFACTION_TARGET: z
    .string()
    .regex(/^[1-5](\.\d{1,2})?$/, 'a score between 1 and 5 such as 4.5')
    .transform(Number)
    .default(4.5),
  /** BullMQ lock of a running job; a worker killed mid-job has its job retried after this. */
  HUIWU_JOB_LOCK_MS: int(1000, 600000).default(30000),

  // ---- Robustness: shutdown, the private Redis, retention, rate limits ----
  /** A clean shutdown (SIGTERM/SIGINT) that takes longer than this (ms) is forced: the process exits with code 1. */
  HUIWU_SHUTDOWN_TIMEOUT_MS: int(1000, 600000).default(10000),
  /**
   * fsync policy of the private Redis's AOF (REDIS_URL unset): `always` (a queued job survives
   * `kill -9` of Redis) or `everysec` (faster; up to one second of queue writes can be lost).
   */
  HUIWU_REDIS_APPENDFSYNC: z.enum(['always', 'everysec']).default('always'),
  /** Days simulator messages are kept (0: forever). */
  HUIWU_RETENTION_DAYS_SIM_MESSAGES: int(0, 36500).default(30),
  /** Days the ids of processed inbound events are kept for de-duplication (at least 7: platforms re-deliver for days). */
  HUIWU_RETENTION_DAYS_INBOUND_EVENTS: int(7, 36500).default(30),
  /** Days sent outbound messages are kept (0: forever). Pending and failed messages are never pruned. */
  HUIWU_RETENTION_DAYS_OUTBOUND: int(0, 36500).default(30),
  /** Days a closed card (no more actions accepted) is kept after its last change (0: forever). */
  HUIWU_RETENTION_DAYS_CARDS: int(0, 36500).default(90),
  /** Cron (in HUIWU_TIMEZONE) of the daily pruning job. */
  HUIWU_RETENTION_CRON: z.string().regex(/^\S+( \S+){4,5}$/, 'a cron expression such as "30 3 * * *"').default('30 3 * * *'),
  /** How often an online, encrypted copy of the database is written to the backup folders. Default 2h. */
  HUIWU_BACKUP_INTERVAL: duration.default(parseOffset('2h')),
  /** Folder of the backups. Default $HUIWU_DATA_DIR/backups. */
  HUIWU_BACKUP_DIR: z.string().min(1).optional(),
  /** Second backup target (e.g. a mounted network share); unset: only HUIWU_BACKUP_DIR. */
  HUIWU_BACKUP_REMOTE_DIR: z.string().min(1).optional(),
  /** Backups kept in each folder (the oldest are removed). Default 24 (two days at 2h). */
  HUIWU_BACKUP_KEEP: int(1, 100000).default(24),
  /**
   * AES-256-GCM key of the backups: 64 hex characters or base64 of 32 bytes. Unset: derived from
   * the PII key (HKDF), so a restore needs that key.
   */
  HUIWU_BACKUP_KEY: z
    .string()
    .regex(/^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$/, '64 hex characters or the base64 of 32 random bytes (openssl rand -hex 32)')
    .optional(),
  /**
   * AES-256-GCM key of the archive packs (`会议 归档`): 64 hex characters or base64 of 32 bytes.
   * Unset: derived from the PII key (HKDF, its own label), so opening a pack needs that key.
   */
  HUIWU_ARCHIVE_KEY: z
    .string()
    .regex(/^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$/, '64 hex characters or the base64 of 32 random bytes (openssl rand -hex 32)')
    .optional(),
  /** Days meeting attachments and archive packs are kept after the meeting ended (0: forever). Default 365. */
  HUIWU_ARCHIVE_RETENTION_DAYS: int(0, 36500).default(365),
  /** Largest attachment accepted (`会议 附件`), in bytes. Default 20 MB. */
  HUIWU_ATTACHMENT_MAX_BYTES: int(1, 1_000_000_000).default(20 * 1024 * 1024),
  /** How long `会议 附件 #N` sent without a file waits for the sender's next image or file in that chat (WeCom/DingTalk images carry no caption). */
  HUIWU_ATTACHMENT_WAIT: duration.default(parseOffset('5m')),
  /** Requests per minute per IP to the admin API (/api/), and per acting user. */
  HUIWU_RATE_LIMIT_ADMIN_PER_MINUTE: int(1, 1000000).default(120),
  /** Chat messages per minute per person, on every platform (beyond it they are dropped and logged once a minute). */
  HUIWU_RATE_LIMIT_USER_PER_MINUTE: int(1, 1000000).default(60),
  /** Requests per minute per IP to the platform callbacks (/wecom/callback, /dingtalk/robot). Platforms send from a few IPs. */
  HUIWU_RATE_LIMIT_CALLBACK_PER_MINUTE: int(1, 1000000).default(6000),
  /** Requests per minute per IP to the simulator's API and page. */
  HUIWU_RATE_LIMIT_SIM_PER_MINUTE: int(1, 1000000).default(3000),
  /**
   * Addresses of reverse proxies whose X-Forwarded-For is trusted (comma-separated IPs or CIDRs).
   * Unset: the connecting address is the client's, so behind a proxy every per-IP budget is shared.
   */
  HUIWU_TRUST_PROXY: z
    .string()
    .regex(/^[0-9A-Fa-f.:/]+(,[0-9A-Fa-f.:/]+)*$/, 'comma-separated IP addresses or CIDR ranges such as 127.0.0.1,10.0.0.0/8')
    .transform((t) => t.split(','))
    .optional(),
  /** Requests per minute per IP to the sign-in links and platform sign-in (/auth/). */
  HUIWU_RATE_LIMIT_SIGNIN_PER_MINUTE: int(1, 1000000).default(30),
  /** Open simulator event streams (/sim/api/events) allowed at once; a fifth of them per IP. */
  HUIWU_SIM_MAX_EVENT_STREAMS: int(1, 10000).default(50),

  // ---- Web pages (console, scanner) and their sign-in ----
  /**
   * The address people open Huiwu's pages at, as seen from their phones (links in chat start with
   * it), e.g. https://huiwu.example.com. Default http://localhost:$PORT.
   */
  HUIWU_PUBLIC_URL: z.string().regex(/^https?:\/\/[^\s?#]+$/, 'an http(s) URL without query, such as https://huiwu.example.com').optional(),
  /** How long a sign-in link sent in chat stays valid (it works once). */
  HUIWU_PAGE_LINK_TTL: duration.default(parseOffset('10m')),
  /** How long a signed-in browser stays signed in. */
  HUIWU_PAGE_SESSION_TTL: duration.default(parseOffset('12h')),

  // ---- Executive schedules (日程) ----
  /** Minimum gap between two items of an executive's schedule at different venues. Default 30m; 0m turns it off. */
  HUIWU_TRAVEL_BUFFER: duration.default(parseOffset('30m')),
  /** Wall-clock time (HH:mm, in HUIWU_TIMEZONE) of the executives' morning digest. Default 08:00. */
  HUIWU_DIGEST_TIME: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day HH:mm such as 08:00')
    .default('08:00'),

  // ---- Incidents and tasks ----
  /** Acknowledgement deadlines of P1,P2,P3,P4 incidents: unacknowledged, the next escalation step fires after this. */
  HUIWU_INCIDENT_ACK_DEADLINES: fourDurations.default(['2m', '5m', '15m', '60m'].map(parseOffset)),
  /** Acknowledgement deadlines of complaints (客诉), by level 一级..四级 (P1..P4). */
  HUIWU_COMPLAINT_ACK_DEADLINES: fourDurations.default(['5m', '15m', '30m', '2h'].map(parseOffset)),
  /** Interval of the status-update reminders to the owner of an open P1/P2 incident. */
  HUIWU_INCIDENT_UPDATE_INTERVAL: duration.default(parseOffset('10m')),
  /** Before a task's due time, when its assignee is reminded (0s: at the due time). */
  HUIWU_TASK_REMINDERS: offsets.default([parseOffset('1h'), parseOffset('0s')]),
  /** After a task's due time, when an unfinished task is escalated to the department head and the creator. */
  HUIWU_TASK_ESCALATE_AFTER: duration.default(parseOffset('30m')),
  /** Cron (in HUIWU_TIMEZONE; 6 fields for seconds) of the daily preparation digest to organizers while checklist items are open. */
  HUIWU_CHECKLIST_DIGEST_CRON: z.string().regex(/^\S+( \S+){4,5}$/, 'a cron expression such as "0 9 * * *"').default('0 9 * * *'),
  /** After a meeting's end, when its close-out checklist is posted automatically in the organizers' group. */
  HUIWU_CLOSEOUT_DELAY: duration.default(parseOffset('2h')),
  /** Preparation completion target in percent (items done on time / items due). */
  HUIWU_PREP_TARGET_PERCENT: int(1, 100).default(98),
  /**
   * AES-256-GCM key for phone and ID numbers at rest: 64 hex characters or base64 of 32 bytes.
   * Required outside local demo mode; in demo mode a key is generated into $HUIWU_DATA_DIR/pii.key.
   */
  HUIWU_PII_KEY: z
    .string()
    .regex(/^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$/, '64 hex characters or the base64 of 32 random bytes (openssl rand -hex 32)')
    .optional(),
  /**
   * HMAC-SHA256 key that signs admission codes (the QR codes at the door), same format as the PII
   * key. In demo mode one is generated into $HUIWU_DATA_DIR/admission.key; elsewhere, when unset,
   * it is derived from HUIWU_PII_KEY (HKDF), so existing deployments need nothing new.
   */
  HUIWU_ADMISSION_KEY: z
    .string()
    .regex(/^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$/, '64 hex characters or the base64 of 32 random bytes (openssl rand -hex 32)')
    .optional(),
  /**
   * Bearer token of the admin HTTP API under /api/. Required outside local demo mode; in demo mode
   * one is generated into $HUIWU_DATA_DIR/admin-token.
   */
  HUIWU_ADMIN_TOKEN: z.string().min(16, 'at least 16 characters').optional(),

  // ---- WeCom (企业微信); see docs/wecom.md. Callback mode: the five app variables together. ----
  /** WeCom corp id (企业ID, 我的企业 → 企业信息). Also the receive id checked in every decrypted callback. */
  WECOM_CORP_ID: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'the corp id (My Company > Company Info), letters and digits').optional(),
  /** AgentId of the self-built app (应用管理 → 自建应用). */
  WECOM_AGENT_ID: int(1, 2 ** 31 - 1).optional(),
  /** Secret of the self-built app (used for gettoken). */
  WECOM_SECRET: z.string().min(1).optional(),
  /** Callback Token (接收消息 → Token): up to 32 letters and digits. */
  WECOM_TOKEN: z.string().regex(/^[A-Za-z0-9]{1,32}$/, 'up to 32 letters and digits').optional(),
  /** Callback EncodingAESKey: exactly 43 letters and digits. */
  WECOM_ENCODING_AES_KEY: z.string().regex(/^[A-Za-z0-9]{43}$/, 'exactly 43 letters and digits').optional(),
  /** WeCom server API base. Default https://qyapi.weixin.qq.com (tests point it at a local fake). */
  WECOM_API_BASE: z.string().regex(/^https?:\/\/[^\s]+$/, 'an http(s) URL').default('https://qyapi.weixin.qq.com'),
  /** Seconds a callback's timestamp may differ from our clock before it is refused as a replay. Default 300. */
  WECOM_CALLBACK_MAX_AGE_SECONDS: int(5, 86400).default(300),
  /** Milliseconds every WeCom API call waits after a throttling errcode (45009/45033). Default 60000. */
  WECOM_THROTTLE_PAUSE_MS: int(0, 600000).default(60000),
  /** Messages per second the WeCom outbound worker may send (per-app rate). Default 20. */
  WECOM_SEND_RATE: int(1, 10000).default(20),
  /**
   * Ids of WeCom calendars (日历 cal_id, managed by the app) whose schedules count as busy times of
   * their attendees, for executives' conflict checks; comma-separated. Empty: no WeCom calendar.
   */
  WECOM_SCHEDULE_CALENDARS: z
    .string()
    .regex(/^[A-Za-z0-9_-]+(,[A-Za-z0-9_-]+)*$/, 'comma-separated WeCom calendar ids (cal_id)')
    .transform((t) => t.split(','))
    .optional(),
  /** Intelligent bot (智能机器人) id; with WECOM_BOT_SECRET turns the long-connection mode on. */
  WECOM_BOT_ID: z.string().min(1).optional(),
  /** Intelligent bot secret (API 模式 → 长连接 Secret). */
  WECOM_BOT_SECRET: z.string().min(1).optional(),
  /** Long-connection URL. Default wss://openws.work.weixin.qq.com. */
  WECOM_BOT_WS_URL: z.string().regex(/^wss?:\/\/[^\s]+$/, 'a ws(s) URL').default('wss://openws.work.weixin.qq.com'),
  /** Base delay of the bot's reconnect backoff in ms (doubles per attempt, capped at 30 s). Default 1000. */
  WECOM_BOT_RECONNECT_MS: int(10, 60000).default(1000),

  // ---- DingTalk (钉钉); see docs/dingtalk.md. The four app variables together turn it on. ----
  /** Client ID (原 AppKey) of the DingTalk internal app (凭证与基础信息). */
  DINGTALK_CLIENT_ID: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'the app Client ID (AppKey), letters and digits').optional(),
  /** Client Secret (原 AppSecret) of the app: the access token and the stream connection use it. */
  DINGTALK_CLIENT_SECRET: z.string().min(1).optional(),
  /** RobotCode of the app's robot (机器人配置); for an internal app it is usually the Client ID. */
  DINGTALK_ROBOT_CODE: z.string().min(1).optional(),
  /** Id of the imported interactive card template (卡片平台 → 模板ID, ends in `.schema`). */
  DINGTALK_CARD_TEMPLATE_ID: z.string().min(1).optional(),
  /** DingTalk OpenAPI base, which also serves the stream gateway. Default https://api.dingtalk.com. */
  DINGTALK_API_BASE: z.string().regex(/^https?:\/\/[^\s]+$/, 'an http(s) URL').default('https://api.dingtalk.com'),
  /** Messages per second the DingTalk outbound worker may send (DingTalk allows 20 QPS per app and API). Default 20. */
  DINGTALK_SEND_RATE: int(1, 10000).default(20),
  /** Legacy DingTalk API base (contacts lookups for the calendar). Default https://oapi.dingtalk.com. */
  DINGTALK_OAPI_BASE: z.string().regex(/^https?:\/\/[^\s]+$/, 'an http(s) URL').default('https://oapi.dingtalk.com'),
  /** Hosts we may POST a message's sessionWebhook to (comma-separated). Default oapi.dingtalk.com. */
  DINGTALK_SESSION_WEBHOOK_HOSTS: z
    .string()
    .regex(/^[A-Za-z0-9.-]+(,[A-Za-z0-9.-]+)*$/, 'comma-separated host names such as oapi.dingtalk.com')
    .transform((text) => text.split(','))
    .default(['oapi.dingtalk.com']),
  /** Set to turn on the robot HTTP callback (POST /dingtalk/robot) checked with this secret (the app's AppSecret). Unset: Stream mode only. */
  DINGTALK_HTTP_CALLBACK_SECRET: z.string().min(1).optional(),
  /**
   * Seconds a robot HTTP callback's timestamp may differ from our clock. Default 300. Each
   * timestamp/sign pair is accepted once (its sign does not cover the body).
   */
  DINGTALK_HTTP_CALLBACK_MAX_AGE_SECONDS: int(5, 86400).default(300),
  /** DING kind for urgent escalations: 1 in-app, 2 SMS, 3 phone call (SMS and call need a paid plan). Default 1. */
  DINGTALK_DING_REMIND_TYPE: z.enum(['1', '2', '3']).transform(Number).default(1),
  /** Base delay of the stream reconnect backoff in ms (doubles per attempt, full jitter). Default 1000. */
  DINGTALK_RECONNECT_BASE_MS: int(10, 60000).default(1000),
  /** Upper bound of the stream reconnect delay in ms. Default 60000. */
  DINGTALK_RECONNECT_MAX_MS: int(100, 600000).default(60000),
  /** Pause of all DingTalk sends after a QPS rejection (403 …QpsLimit…), in ms, plus jitter. Default 1000. */
  DINGTALK_QPS_BACKOFF_MS: int(10, 60000).default(1000),
  /**
   * The H5 micro-app's AgentId and the organisation's CorpId, for `dd.config` on the door's scanner
   * page (DingTalk's own scanner, `biz.util.scan`). Both or neither; unset: the page uses the camera.
   */
  DINGTALK_AGENT_ID: z.string().regex(/^\d{1,20}$/, 'the H5 app AgentId (digits)').optional(),
  DINGTALK_CORP_ID: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'the organisation CorpId (ding…), letters and digits').optional(),
});

/** Variables that only work together: setting some of a group but not all is a start-up error. */
export const WECOM_CALLBACK_VARS = ['WECOM_CORP_ID', 'WECOM_AGENT_ID', 'WECOM_SECRET', 'WECOM_TOKEN', 'WECOM_ENCODING_AES_KEY'] as const;
export const WECOM_BOT_VARS = ['WECOM_BOT_ID', 'WECOM_BOT_SECRET'] as const;
export const DINGTALK_VARS = ['DINGTALK_CLIENT_ID', 'DINGTALK_CLIENT_SECRET', 'DINGTALK_ROBOT_CODE', 'DINGTALK_CARD_TEMPLATE_ID'] as const;
export const DINGTALK_JSAPI_VARS = ['DINGTALK_AGENT_ID', 'DINGTALK_CORP_ID'] as const;
const ALL_OR_NOTHING: ReadonlyArray<{ mode: string; vars: readonly string[] }> = [
  { mode: 'WeCom callback mode', vars: WECOM_CALLBACK_VARS },
  { mode: 'WeCom long-connection bot mode', vars: WECOM_BOT_VARS },
  { mode: 'DingTalk', vars: DINGTALK_VARS },
  { mode: "DingTalk's JSAPI on the scanner page", vars: DINGTALK_JSAPI_VARS },
];

type Parsed = z.infer<typeof schema>;
export type Config = Readonly<Omit<Parsed, 'HUIWU_SURVEY_DIMENSIONS'> & { HUIWU_SURVEY_DIMENSIONS: string[] }>;

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
  if (parsed.success && parsed.data.HUIWU_WORKER_PROCESSES > 0 && parsed.data.HUIWU_ROLE === 'worker') {
    throw new ConfigError('Invalid configuration:\n  HUIWU_WORKER_PROCESSES is for the web process: set HUIWU_ROLE to all or web, or HUIWU_WORKER_PROCESSES to 0');
  }
  const missing = ALL_OR_NOTHING.flatMap(({ mode, vars }) => {
    const set = vars.filter((v) => v in input);
    if (set.length === 0 || set.length === vars.length) return [];
    const absent = vars.filter((v) => !(v in input));
    return [`${mode} needs ${vars.join(', ')} together: ${set.join(', ')} set but ${absent.join(', ')} missing`];
  });
  if (!parsed.success || missing.length > 0) {
    const lines = (parsed.success ? [] : parsed.error.issues).map((issue) => {
      const key = String(issue.path[0]);
      return `${key}=${JSON.stringify(input[key] ?? '')} is invalid: expected ${issue.message}`;
    });
    throw new ConfigError(`Invalid configuration:\n  ${[...lines, ...missing].join('\n  ')}`);
  }
  const dimensions = parsed.data.HUIWU_SURVEY_DIMENSIONS ?? defaultDimensions(parsed.data.HUIWU_LOCALE);
  return Object.freeze({ ...parsed.data, HUIWU_SURVEY_DIMENSIONS: dimensions });
}

/** The default survey dimensions are words people read: they live in the catalogue of the default language. */
function defaultDimensions(locale: Locale): string[] {
  const entry = catalogs()[locale].get('defaults.surveyDimensions');
  if (!Array.isArray(entry) || entry.length === 0) throw new ConfigError(`locales/${locale}: defaults.surveyDimensions must be a non-empty list`);
  return [...(entry as readonly string[])];
}
