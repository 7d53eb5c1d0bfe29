/**
 * The local simulator: a real platform implementation whose "server" is a table in our own
 * database and a web page. Used whenever no platform credentials are configured.
 * Messages and clicks from the page come in through `inbound.ts`; demo data is written by `seed-directory.ts`.
 */
import { EventEmitter, once } from 'node:events';
import type { FastifyInstance } from 'fastify';
import type { Card } from '../../../cards/model.js';
import type { Config } from '../../config.js';
import type { PrismaClient } from '../../db/client.js';
import { words } from '../../i18n/vocabulary.js';
import type { Directory } from '../../services/directory.js';
import { externalIdOf, internalId } from '../../services/ids.js';
import {
  type CardActionOutcome,
  type InboundSink,
  type OutboundContent,
  type OutboundTarget,
  type PlatformAdapter,
  PlatformError,
  type SendResult,
} from '../types.js';
import { SimError } from './errors.js';
import { SimMessages } from './messages.js';
import { SimulatorInbound, type SimUpload } from './inbound.js';
import { type SimMessageView, simulatorRoutes } from './routes.js';
import { dmConversationId } from './seed.js';
import { seedDirectory } from './seed-directory.js';
import type { BusySlot, SignInLinkPort } from '../types.js';
import { LocaleService } from '../../services/locales.js';
import { MediaStore } from '../../services/media.js';

export const BOT_ID = 'bot';


export class SimulatorAdapter implements PlatformAdapter {
  readonly name = 'simulator' as const;
  private readonly inbound: SimulatorInbound;
  /** Emits `change` with the simulator conversation id whenever a message is added or a card changes. */
  readonly changes = new EventEmitter().setMaxListeners(0);
  /** Platform outages on demand (POST /sim/api/faults): the next N sends fail with a retryable error. */
  private failuresToInject = 0;
  /** Throttling on demand: the next N sends are refused with a pause, as a rate-limited platform does. */
  private throttlesToInject = { count: 0, pauseMs: 1000 };

  private readonly mediaStore: MediaStore;
  private readonly history: SimMessages;
  private readonly locales: LocaleService;
  readonly sendRatePerSecond: number;
  /** HUIWU_TIMEZONE: the page shows message times in the zone the bot writes times in. */
  readonly timeZone: string;

  constructor(
    private readonly db: PrismaClient,
    private readonly directory: Directory,
    config: Pick<Config, 'HUIWU_SIM_SEND_RATE' | 'HUIWU_LOCALE' | 'HUIWU_TIMEZONE'>,
    private readonly signInLinks?: SignInLinkPort,
  ) {
    this.sendRatePerSecond = config.HUIWU_SIM_SEND_RATE;
    this.timeZone = config.HUIWU_TIMEZONE;
    this.history = new SimMessages(db);
    this.inbound = new SimulatorInbound(db, directory, this.changes, this.history);
    this.mediaStore = new MediaStore(db);
    this.locales = new LocaleService(directory, config);
  }

  /** Who the page talks to, and the zone to show times in (GET /sim/api/bot). */
  bot(): { id: string; name: string; timeZone: string } {
    return { id: BOT_ID, name: words('common.botNames')[0]!, timeZone: this.timeZone };
  }

  /** A fresh console sign-in link for a seeded user (the page's "console" button), as the 控制台 command would DM it. */
  async consoleLink(userExternalId: string): Promise<string> {
    const user = await this.directory.user(internalId('simulator', userExternalId));
    if (!user) throw new SimError(404, `unknown user: ${userExternalId}`);
    if (!this.signInLinks) throw new SimError(404, 'sign-in links are not available');
    return this.signInLinks.issueLink(user.id, '/console');
  }

  async routes(app: FastifyInstance): Promise<void> {
    await app.register(simulatorRoutes, { sim: this, directory: this.directory });
  }

  async start(sink: InboundSink): Promise<void> {
    await seedDirectory(this.db, this.directory);
    this.inbound.attach(sink);
  }

  async stop(): Promise<void> {
    this.inbound.attach(null);
  }

  // ---- outbound -------------------------------------------------------------

  injectSendFailures(count: number): void {
    this.failuresToInject = count;
  }

  injectThrottles(count: number, pauseMs: number): void {
    this.throttlesToInject = { count, pauseMs };
  }

  async send(target: OutboundTarget, content: OutboundContent, idempotencyKey: string): Promise<SendResult> {
    if (this.failuresToInject > 0) {
      this.failuresToInject--;
      throw new PlatformError('simulated platform outage', 'retry');
    }
    if (this.throttlesToInject.count > 0) {
      this.throttlesToInject.count--;
      throw new PlatformError('simulated throttling', 'retry', this.throttlesToInject.pauseMs);
    }
    // The simulator shows a card's picture inside the card: its companion message is not needed.
    if (content.type === 'image' && content.companionOf) return {};
    const conversationId = this.conversationFor(target);
    const data =
      content.type === 'card'
        ? { cardId: content.card.id, card: JSON.stringify(content.card) }
        : content.type === 'image'
          ? { image: content.mediaId, text: content.alt }
          : { text: content.type === 'text' ? content.text : content.markdown };
    const rowId = await this.history.addOnce(idempotencyKey, { conversationId, fromId: BOT_ID, ...data });
    this.changes.emit('change', conversationId);
    return { platformRef: String(rowId) };
  }

  async updateCard(card: Card): Promise<SendResult> {
    const rows = await this.db.simMessage.findMany({ where: { cardId: card.id }, select: { conversationId: true } });
    await this.db.simMessage.updateMany({ where: { cardId: card.id }, data: { card: JSON.stringify(card) } });
    for (const conversation of new Set(rows.map((r) => r.conversationId))) this.changes.emit('change', conversation);
    return {};
  }

  /**
   * The simulator's urgent channel (DingTalk DING / WeCom urgent message on real platforms): an
   * urgent text in each person's DM (marked urgent in their language), stored once per `idempotencyKey` and person.
   */
  async sendUrgent(userIds: readonly string[], text: string, idempotencyKey: string): Promise<void> {
    for (const userId of userIds) {
      const conversationId = dmConversationId(externalIdOf(userId));
      const outboundId = `urgent-${idempotencyKey}-${userId}`;
      const marked = (await this.locales.forUser(userId)).t('platform.urgent', { text });
      await this.history.addOnce(outboundId, { conversationId, fromId: BOT_ID, text: marked });
      this.changes.emit('change', conversationId);
    }
  }

  // ---- calendar (free/busy) -------------------------------------------------

  /** The simulated platform calendar: busy slots stored by POST /sim/api/calendar/busy. */
  async freeBusy(userId: string, from: Date, to: Date): Promise<BusySlot[]> {
    const rows = await this.db.simBusySlot.findMany({ where: { userId, startAt: { lt: to }, endAt: { gt: from } }, orderBy: { startAt: 'asc' } });
    return rows.map((r) => ({ start: r.startAt, end: r.endAt, ...(r.title ? { title: r.title } : {}) }));
  }

  async addBusySlot(userExternalId: string, start: Date, end: Date, title: string | null): Promise<number> {
    const user = await this.directory.user(internalId('simulator', userExternalId));
    if (!user) throw new SimError(404, `unknown user: ${userExternalId}`);
    if (!(end > start)) throw new SimError(400, 'end must be after start');
    const row = await this.db.simBusySlot.create({ data: { userId: user.id, startAt: start, endAt: end, title } });
    return row.id;
  }

  // ---- inbound (inbound.ts; called by the simulator's HTTP API) --------------

  /** Stores what the user typed and hands it to the pipeline. */
  postMessage(conversationExternalId: string, fromExternalId: string, text: string, upload?: SimUpload): Promise<number> {
    return this.inbound.postMessage(conversationExternalId, fromExternalId, text, upload);
  }

  /** A click: only someone who can see the card (a member of its chat) can click it. */
  clickCard(cardId: string, fromExternalId: string, action: string, values: Record<string, string>): Promise<CardActionOutcome> {
    return this.inbound.clickCard(cardId, fromExternalId, action, values);
  }

  // ---- the page's view (called by the simulator's HTTP API) -------------------

  /** Messages after `after`; with `waitMs`, waits up to that long for the first new one (long polling). */
  async messages(conversationExternalId: string, after: number, waitMs = 0): Promise<SimMessageView[]> {
    const found = await this.messagesAfter(conversationExternalId, after);
    if (found.length > 0 || waitMs <= 0) return found;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), waitMs);
    try {
      while (!controller.signal.aborted) {
        const [changed] = (await once(this.changes, 'change', { signal: controller.signal })) as [string];
        if (changed !== conversationExternalId) continue;
        const fresh = await this.messagesAfter(conversationExternalId, after);
        if (fresh.length > 0) return fresh;
      }
    } catch (error) {
      if (!controller.signal.aborted) throw error;
    } finally {
      clearTimeout(timer);
    }
    return [];
  }

  private async messagesAfter(conversationExternalId: string, after: number): Promise<SimMessageView[]> {
    const rows = await this.db.simMessage.findMany({
      where: { conversationId: conversationExternalId, id: { gt: after } },
      orderBy: { id: 'asc' },
      take: 500,
    });
    return rows.map((r) => ({
      id: r.id,
      from: r.fromId,
      ...(r.text != null ? { text: r.text } : {}),
      ...(r.card ? { card: JSON.parse(r.card) as Card } : {}),
      ...(r.image ? { image: `/sim/media/${r.image}` } : {}),
      at: r.createdAt.toISOString(),
    }));
  }

  /** An image sent by the bot, for the page's <img> tags. */
  media(id: string): Promise<{ mime: string; data: Buffer } | null> {
    return this.mediaStore.get(id);
  }

  // ---- helpers --------------------------------------------------------------

  private conversationFor(target: OutboundTarget): string {
    return target.kind === 'conversation' ? externalIdOf(target.conversationId) : dmConversationId(externalIdOf(target.userId));
  }
}
