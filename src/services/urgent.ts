/**
 * Urgent notifications for escalations: the platform's own urgent channel where it has one
 * (DingTalk DING, WeCom urgent message; `PlatformCapabilities.sendUrgent`), else an urgent-priority
 * message in the person's DM through the outbox. Services get this port, never an adapter.
 */
import type { Logger } from 'pino';
import type { PlatformCapabilities, PlatformName } from '../platforms/types.js';
import { PRIORITY, jobIdPart } from '../queue/queues.js';
import { platformOfId } from './ids.js';
import type { Outbox } from './outbox.js';

export interface UrgentCapable extends PlatformCapabilities {
  readonly name: PlatformName;
}

export class UrgentNotifier {
  constructor(
    private readonly platforms: readonly UrgentCapable[],
    private readonly outbox: Outbox,
    private readonly log: Logger,
  ) {}

  /** `key` identifies the cause (e.g. `incident-3-esc-1`): a retried escalation notifies once. */
  async notify(userIds: readonly string[], text: string, key: string): Promise<void> {
    const byPlatform = new Map<PlatformName, string[]>();
    for (const id of new Set(userIds)) byPlatform.set(platformOfId(id), [...(byPlatform.get(platformOfId(id)) ?? []), id]);
    for (const [name, ids] of byPlatform) {
      const platform = this.platforms.find((p) => p.name === name);
      if (platform?.sendUrgent) {
        try {
          await platform.sendUrgent(ids, text, key);
          continue;
        } catch (err) {
          this.log.warn({ err, key, platform: name }, 'urgent notification failed; sending an urgent message instead');
        }
      }
      await this.outbox.enqueueMany(
        ids.map((userId) => ({
          id: `urgent-${jobIdPart(key)}-${jobIdPart(userId)}`,
          target: { kind: 'user' as const, userId },
          content: { type: 'text' as const, text: `🚨【紧急】${text}` },
          priority: PRIORITY.urgent,
        })),
      );
    }
  }
}
