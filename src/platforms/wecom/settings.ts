/** The WeCom part of the configuration, grouped by mode. Null when neither mode is configured. */
import type { Config } from '../../config.js';

export interface WecomSettings {
  /** Self-built app: callbacks in, server API out. */
  app?: {
    corpId: string;
    agentId: number;
    secret: string;
    token: string;
    encodingAesKey: string;
    apiBase: string;
    maxAgeSeconds: number;
    throttlePauseMs: number;
    /** Calendars whose schedules are read as busy times (WECOM_SCHEDULE_CALENDARS). */
    scheduleCalendars: string[];
  };
  /** Intelligent bot over the long connection. */
  bot?: { botId: string; secret: string; wsUrl: string; reconnectBaseMs: number };
  sendRatePerSecond: number;
}

export function wecomSettings(c: Config): WecomSettings | null {
  // loadConfig guarantees each group is all-or-nothing, so one variable tells whether a mode is on.
  const app =
    c.WECOM_CORP_ID && c.WECOM_AGENT_ID && c.WECOM_SECRET && c.WECOM_TOKEN && c.WECOM_ENCODING_AES_KEY
      ? {
          corpId: c.WECOM_CORP_ID,
          agentId: c.WECOM_AGENT_ID,
          secret: c.WECOM_SECRET,
          token: c.WECOM_TOKEN,
          encodingAesKey: c.WECOM_ENCODING_AES_KEY,
          apiBase: c.WECOM_API_BASE,
          maxAgeSeconds: c.WECOM_CALLBACK_MAX_AGE_SECONDS,
          throttlePauseMs: c.WECOM_THROTTLE_PAUSE_MS,
          scheduleCalendars: c.WECOM_SCHEDULE_CALENDARS ?? [],
        }
      : undefined;
  const bot =
    c.WECOM_BOT_ID && c.WECOM_BOT_SECRET
      ? { botId: c.WECOM_BOT_ID, secret: c.WECOM_BOT_SECRET, wsUrl: c.WECOM_BOT_WS_URL, reconnectBaseMs: c.WECOM_BOT_RECONNECT_MS }
      : undefined;
  if (!app && !bot) return null;
  return { ...(app ? { app } : {}), ...(bot ? { bot } : {}), sendRatePerSecond: c.WECOM_SEND_RATE };
}
