/**
 * Urgent notifications for escalations: the platform's own urgent channel where it has one
 * (DingTalk DING, WeCom urgent message; `PlatformCapabilities.sendUrgent`), else an urgent-priority
 * message in the person's DM through the outbox. Services get this port, never an adapter.
 * Each person reads the message in their own language.
 */
import type { Logger } from 'pino';
import type { Msg } from '../i18n/translator.js';
import type { PlatformCapabilities, PlatformName } from '../platforms/types.js';
import { PRIORITY, jobIdPart } from '../queue/queues.js';
import { platformOfId } from './ids.js';
import type { LocaleService } from './locales.js';
import type { Outbox } from './outbox.js';

export interface UrgentCapable extends PlatformCapabilities {
  readonly name: PlatformName;
}

export class UrgentNotifier {
  constructor(
    private readonly platforms: readonly UrgentCapable[],
    private readonly outbox: Outbox,
    private readonly locales: Pick<LocaleService, 'forUsers' | 'translator'>,
    private readonly log: Logger,
  ) {}

  /**
   * `key` identifies the cause (e.g. `incident-3-esc-1`): a retried escalation notifies once.
   * People reading another language than the default get their own send, keyed `<key>-<locale>`.
   */
  async notify(userIds: readonly string[], message: Msg, key: string): Promise<void> {
    const readers = await this.locales.forUsers([...new Set(userIds)]);
    const fallback = this.locales.translator().locale;
    const batches = new Map<string, { platform: PlatformName; key: string; text: string; ids: string[] }>();
    for (const [id, t] of readers) {
      const platform = platformOfId(id);
      const batchKey = t.locale === fallback ? key : `${key}-${t.locale}`;
      const batch = batches.get(`${platform} ${batchKey}`) ?? { platform, key: batchKey, text: t.render(message), ids: [] };
      batch.ids.push(id);
      batches.set(`${platform} ${batchKey}`, batch);
    }
    for (const batch of batches.values()) {
      const platform = this.platforms.find((p) => p.name === batch.platform);
      if (platform?.sendUrgent) {
        try {
          await platform.sendUrgent(batch.ids, batch.text, batch.key);
          continue;
        } catch (err) {
          this.log.warn({ err, key: batch.key, platform: batch.platform }, 'urgent notification failed; sending an urgent message instead');
        }
      }
      await this.outbox.enqueueMany(
        batch.ids.map((userId) => ({
          id: `urgent-${jobIdPart(key)}-${jobIdPart(userId)}`,
          target: { kind: 'user' as const, userId },
          content: { type: 'text' as const, text: readers.get(userId)!.t('platform.urgent', { text: batch.text }) },
          priority: PRIORITY.urgent,
        })),
      );
    }
  }
}
