/**
 * The local simulator: a real platform implementation whose "server" is a table in our own
 * database and a web page. Used whenever no platform credentials are configured.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import type { FastifyInstance } from 'fastify';
import type { Card } from '../../../cards/model.js';
import type { PrismaClient } from '../../db/client.js';
import type { Directory } from '../../services/directory.js';
import { externalIdOf, internalId } from '../../services/ids.js';
import {
  type CardActionOutcome,
  type InboundSink,
  type Mention,
  type OutboundContent,
  type OutboundTarget,
  type PlatformAdapter,
  PlatformError,
  type SendResult,
} from '../types.js';
import { simulatorRoutes } from './routes.js';
import { SIM_ASSISTANTS, SIM_DEPARTMENTS, SIM_GROUP, SIM_USERS, dmConversationId } from './seed.js';
import type { BusySlot } from '../types.js';

export const BOT_ID = 'bot';

export interface SimMessageView {
  id: number;
  from: string;
  text?: string;
  card?: Card;
  /** URL of an image message (served by the simulator), with `text` as its alt text. */
  image?: string;
  at: string;
}

export class SimulatorAdapter implements PlatformAdapter {
  readonly name = 'simulator' as const;
  private sink: InboundSink | null = null;
  /** Emits `change` with the simulator conversation id whenever a message is added or a card changes. */
  readonly changes = new EventEmitter().setMaxListeners(0);
  /** Platform outages on demand (POST /sim/api/faults): the next N sends fail with a retryable error. */
  private failuresToInject = 0;

  constructor(
    private readonly db: PrismaClient,
    private readonly directory: Directory,
    readonly sendRatePerSecond: number,
  ) {}

  async routes(app: FastifyInstance): Promise<void> {
    await app.register(simulatorRoutes, { sim: this, directory: this.directory });
  }

  async start(sink: InboundSink): Promise<void> {
    await this.seed();
    this.sink = sink;
  }

  async stop(): Promise<void> {
    this.sink = null;
  }

  // ---- outbound -------------------------------------------------------------

  injectSendFailures(count: number): void {
    this.failuresToInject = count;
  }

  async send(target: OutboundTarget, content: OutboundContent, idempotencyKey: string): Promise<SendResult> {
    if (this.failuresToInject > 0) {
      this.failuresToInject--;
      throw new PlatformError('simulated platform outage', 'retry');
    }
    const conversationId = this.conversationFor(target);
    const data =
      content.type === 'card'
        ? { cardId: content.card.id, card: JSON.stringify(content.card) }
        : content.type === 'image'
          ? { image: content.mediaId, text: content.alt }
          : { text: content.type === 'text' ? content.text : content.markdown };
    // The unique outboundId makes a repeated send store one message, like a platform's idempotency key.
    const row = await this.db.simMessage.upsert({
      where: { outboundId: idempotencyKey },
      create: { conversationId, fromId: BOT_ID, outboundId: idempotencyKey, ...data },
      update: {},
    });
    this.changes.emit('change', conversationId);
    return { platformRef: String(row.id) };
  }

  async updateCard(card: Card): Promise<SendResult> {
    const rows = await this.db.simMessage.findMany({ where: { cardId: card.id }, select: { conversationId: true } });
    await this.db.simMessage.updateMany({ where: { cardId: card.id }, data: { card: JSON.stringify(card) } });
    for (const conversation of new Set(rows.map((r) => r.conversationId))) this.changes.emit('change', conversation);
    return {};
  }

  /**
   * The simulator's urgent channel (DingTalk DING / WeCom urgent message on real platforms): an
   * urgent text in each person's DM, stored once per `idempotencyKey` and person.
   */
  async sendUrgent(userIds: readonly string[], text: string, idempotencyKey: string): Promise<void> {
    for (const userId of userIds) {
      const conversationId = dmConversationId(externalIdOf(userId));
      const outboundId = `urgent-${idempotencyKey}-${userId}`;
      await this.db.simMessage.upsert({ where: { outboundId }, create: { conversationId, fromId: BOT_ID, outboundId, text: `🚨【紧急】${text}` }, update: {} });
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

  // ---- inbound (called by the simulator's HTTP API) -------------------------

  /** Stores what the user typed and hands it to the pipeline. */
  async postMessage(conversationExternalId: string, fromExternalId: string, text: string): Promise<number> {
    const sink = this.requireSink();
    const conversation = await this.directory.conversation(internalId('simulator', conversationExternalId));
    if (!conversation) throw new SimError(404, `unknown conversation: ${conversationExternalId}`);
    const user = await this.directory.user(internalId('simulator', fromExternalId));
    if (!user) throw new SimError(404, `unknown user: ${fromExternalId}`);
    if (!conversation.memberIds.includes(user.id)) throw new SimError(403, `${user.name} is not a member of ${conversation.name}`);
    if (text.trim() === '') throw new SimError(400, 'text must not be empty');

    const row = await this.db.simMessage.create({ data: { conversationId: conversationExternalId, fromId: fromExternalId, text } });
    this.changes.emit('change', conversationExternalId);
    await sink.accept({
      kind: 'message',
      platform: 'simulator',
      eventId: `msg-${row.id}`,
      conversationId: conversation.id,
      conversationType: conversation.type,
      userId: user.id,
      text,
      mentions: await this.mentionsIn(text),
      receivedAt: row.createdAt.toISOString(),
    });
    return row.id;
  }

  /** A click: only someone who can see the card (a member of its chat) can click it. */
  async clickCard(cardId: string, fromExternalId: string, action: string, values: Record<string, string>): Promise<CardActionOutcome> {
    const sink = this.requireSink();
    const message = await this.db.simMessage.findFirst({ where: { cardId } });
    if (!message) throw new SimError(404, `unknown card: ${cardId}`);
    const user = await this.directory.user(internalId('simulator', fromExternalId));
    if (!user) throw new SimError(404, `unknown user: ${fromExternalId}`);
    const conversation = await this.directory.conversation(internalId('simulator', message.conversationId));
    if (!conversation?.memberIds.includes(user.id)) throw new SimError(403, `${user.name} cannot see this card`);
    return sink.acceptAndWait(
      {
        kind: 'card-action',
        platform: 'simulator',
        eventId: `click-${randomUUID()}`,
        cardId,
        userId: user.id,
        action,
        values,
        receivedAt: new Date().toISOString(),
      },
      15_000,
    );
  }

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
  async media(id: string): Promise<{ mime: string; data: Buffer } | null> {
    const row = await this.db.media.findUnique({ where: { id } });
    return row ? { mime: row.mime, data: Buffer.from(row.data) } : null;
  }

  // ---- helpers --------------------------------------------------------------

  private conversationFor(target: OutboundTarget): string {
    return target.kind === 'conversation' ? externalIdOf(target.conversationId) : dmConversationId(externalIdOf(target.userId));
  }

  /** `@<display name>` typed in the text, longest names first so `@王芳芳` never matches `@王芳`. */
  private async mentionsIn(text: string): Promise<Mention[]> {
    const users = (await this.directory.usersOfPlatform('simulator')).sort((a, b) => b.name.length - a.name.length);
    const found: Array<Mention & { at: number }> = [];
    let rest = text;
    for (const u of users) {
      const token = `@${u.name}`;
      const at = rest.indexOf(token);
      if (at < 0) continue;
      found.push({ userId: u.id, name: u.name, at });
      rest = rest.split(token).join(' '.repeat(token.length));
    }
    return found.sort((a, b) => a.at - b.at).map(({ userId, name }) => ({ userId, name }));
  }

  private requireSink(): InboundSink {
    if (!this.sink) throw new SimError(503, 'simulator is not started');
    return this.sink;
  }

  private async seed(): Promise<void> {
    for (const u of SIM_USERS) {
      await this.directory.upsertUser({ platform: 'simulator', externalId: u.id, name: u.name, roles: u.roles, department: u.department });
    }
    for (const d of SIM_DEPARTMENTS) {
      const headUserId = d.head ? internalId('simulator', d.head) : null;
      await this.db.department.upsert({ where: { name: d.name }, create: { id: `dept-${d.name}`, name: d.name, headUserId }, update: { headUserId } });
    }
    const everyone = SIM_USERS.map((u) => internalId('simulator', u.id));
    await this.directory.upsertConversation({ platform: 'simulator', externalId: SIM_GROUP.id, name: SIM_GROUP.name, type: 'group', memberIds: everyone });
    for (const u of SIM_USERS) {
      await this.directory.upsertConversation({
        platform: 'simulator',
        externalId: dmConversationId(u.id),
        name: u.name,
        type: 'direct',
        memberIds: [internalId('simulator', u.id)],
      });
    }
    for (const link of SIM_ASSISTANTS) {
      const executiveId = internalId('simulator', link.executive);
      if ((await this.db.executiveAssistant.count({ where: { executiveId } })) > 0) continue;
      await this.db.executiveAssistant.create({ data: { executiveId, assistantId: internalId('simulator', link.assistant), createdBy: 'seed' } });
    }
  }
}

/** An API error of the simulator, with its HTTP status. */
export class SimError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
