/**
 * What a failed DingTalk send becomes: a PlatformError the outbound queue understands (throttles
 * retry after a shared pause, invalid targets give up), and for quota and permission failures an
 * error in the log plus a notice to the chat concerned through its session webhook (which needs no
 * quota), at most every 10 minutes per chat. Split from `sender.ts`, which only sends.
 */
import type { Logger } from 'pino';
import type { Translator } from '../../i18n/translator.js';
import { PlatformError } from '../types.js';
import { DingTalkApiError } from './errors.js';
import type { OpenApiClient } from './open-api.js';
import { postSessionWebhook, type SessionWebhooks } from './session-webhooks.js';

/** Where a target lives on DingTalk. `webhookKeys` are the session-webhook cache keys to try. */
export type Place = { kind: 'group'; cid: string; webhookKeys: string[] } | { kind: 'user'; staffId: string; webhookKeys: string[] };

const NOTICE_INTERVAL_MS = 10 * 60_000;

export class SendFailures {
  private readonly noticesSent = new Map<string, number>();

  constructor(
    private readonly api: Pick<OpenApiClient, 'pauseLeftMs'>,
    private readonly webhooks: SessionWebhooks,
    private readonly opts: { qpsBackoffMs: number; log: Logger; translatorFor: (place: Place) => Promise<Translator> },
  ) {}

  async toPlatformError(error: unknown, place: Place | null): Promise<PlatformError> {
    if (error instanceof PlatformError) return error;
    if (!(error instanceof DingTalkApiError)) return new PlatformError(`DingTalk send failed: ${String((error as Error)?.message ?? error)}`, 'retry');
    switch (error.kind) {
      case 'qps':
      case 'rate':
        return new PlatformError(error.message, 'retry', Math.max(error.retryAfterMs ?? 0, this.api.pauseLeftMs(), this.opts.qpsBackoffMs));
      case 'transient':
      case 'auth':
        return new PlatformError(error.message, 'retry');
      case 'invalid':
        return new PlatformError(error.message, 'give-up');
      case 'quota':
      case 'permission': {
        const reason = error.kind === 'quota' ? 'monthly API quota exhausted' : `permission denied (${error.code || error.status})`;
        this.opts.log.error({ code: error.code, status: error.status }, `DingTalk ${reason}: message not sent. ${error.message}`);
        if (place) {
          const t = await this.opts.translatorFor(place);
          const why = error.kind === 'quota' ? t.t('platform.dingtalk.quota') : t.t('platform.dingtalk.permission', { code: error.code || error.status });
          await this.notice(place, t.t('platform.sendFailedNotice', { reason: why }));
        }
        return new PlatformError(`${reason}: ${error.message}`, 'give-up');
      }
    }
  }

  /** Tells the affected chat through its session webhook (quota-free), at most every 10 minutes. */
  private async notice(place: Place, text: string): Promise<void> {
    for (const key of place.webhookKeys) {
      const hook = this.webhooks.valid(key);
      const last = this.noticesSent.get(key) ?? 0;
      if (!hook || Date.now() - last < NOTICE_INTERVAL_MS) continue;
      this.noticesSent.set(key, Date.now());
      if (await postSessionWebhook(hook.url, this.opts.log, { msgtype: 'text', text: { content: text } })) return;
    }
  }
}
