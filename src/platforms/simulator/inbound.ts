/**
 * The simulator's inbound side, called by its HTTP API: a message typed on the page (stored, then
 * handed to the pipeline with the `@name` mentions found in it) and a card click (only by a member
 * of the card's chat, answered with the click's outcome). The adapter owns the outbound side.
 * Like DingTalk and WeCom's intelligent bot, a group message reaches the bot only when it is
 * addressed to it; anything else is chat between people, stored and shown but never queued.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import type { SimMessages } from './messages.js';
import type { PrismaClient } from '../../db/client.js';
import type { Directory } from '../../services/directory.js';
import { internalId } from '../../services/ids.js';
import { BOT_NAMES, isAddressedToBot } from '../../router/router.js';
import type { CardActionOutcome, InboundFile, InboundSink, Mention, MessageEvent } from '../types.js';

/** A file uploaded with a message on the simulator page. */
export interface SimUpload {
  name: string;
  mime: string;
  data: Buffer;
}
import { SimError } from './errors.js';

export class SimulatorInbound {
  private sink: InboundSink | null = null;

  constructor(
    private readonly db: PrismaClient,
    private readonly directory: Directory,
    /** The adapter's change feed: a posted message wakes the page's long polls. */
    private readonly changes: EventEmitter,
    private readonly messages: SimMessages,
  ) {}

  attach(sink: InboundSink | null): void {
    this.sink = sink;
  }

  /** Stores what the user typed and hands it to the pipeline (with the file uploaded along, if any). */
  async postMessage(conversationExternalId: string, fromExternalId: string, text: string, upload?: SimUpload): Promise<number> {
    const sink = this.requireSink();
    const conversation = await this.directory.conversation(internalId('simulator', conversationExternalId));
    if (!conversation) throw new SimError(404, `unknown conversation: ${conversationExternalId}`);
    const user = await this.directory.user(internalId('simulator', fromExternalId));
    if (!user) throw new SimError(404, `unknown user: ${fromExternalId}`);
    if (!conversation.memberIds.includes(user.id)) throw new SimError(403, `${user.name} is not a member of ${conversation.name}`);
    // A file may come alone, as an image does on WeCom and DingTalk (for a `会议 附件 #N` sent before).
    if (text.trim() === '' && !upload) throw new SimError(400, 'text must not be empty');

    const file = upload ? await this.storeUpload(upload) : undefined;
    const row = await this.messages.add({
      conversationId: conversationExternalId,
      fromId: fromExternalId,
      text: file ? `${text}\n📎 ${file.name}`.trim() : text,
      image: file?.kind === 'image' ? file.mediaId : null,
    });
    this.changes.emit('change', conversationExternalId);
    const event: MessageEvent = {
      kind: 'message',
      platform: 'simulator',
      eventId: `msg-${row.id}`,
      conversationId: conversation.id,
      conversationType: conversation.type,
      userId: user.id,
      text,
      mentions: [],
      receivedAt: row.createdAt.toISOString(),
      ...(file ? { file } : {}),
    };
    // Group chat between people stays between people, as on DingTalk and WeCom's intelligent bot;
    // a file goes on (the router hands it only to a `会议 附件` its sender sent just before).
    if (!file && !isAddressedToBot(event, conversation)) return row.id;
    const mentions = await this.mentionsIn(text);
    await this.acceptOrWithdraw(row.id, conversationExternalId, () => sink.accept({ ...event, mentions }));
    return row.id;
  }

  /** The simulator is the platform's file server: the bytes go to the Media table, as a platform would keep them. */
  private async storeUpload(upload: SimUpload): Promise<InboundFile> {
    const mediaId = `upload-${createHash('sha256').update(upload.data).digest('hex').slice(0, 32)}`;
    await this.db.media.upsert({ where: { id: mediaId }, create: { id: mediaId, mime: upload.mime, data: new Uint8Array(upload.data) }, update: { id: mediaId } });
    return { kind: upload.mime.startsWith('image/') ? 'image' : 'file', name: upload.name, mime: upload.mime, size: upload.data.length, mediaId };
  }

  /** A message the pipeline did not take (Redis down: 503) is taken back, as a platform would not deliver it. */
  private async acceptOrWithdraw(rowId: number, conversationExternalId: string, accept: () => Promise<void>): Promise<void> {
    try {
      await accept();
    } catch (error) {
      await this.db.simMessage.delete({ where: { id: rowId } }).catch(() => undefined);
      this.changes.emit('change', conversationExternalId);
      throw error;
    }
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

  /** `@<display name>` typed in the text, longest names first so `@王芳芳` never matches `@王芳`. */
  private async mentionsIn(text: string): Promise<Mention[]> {
    // Most messages mention nobody but the bot (not a user): no need to look anyone up for them.
    const people = BOT_NAMES.reduce((rest, bot) => rest.split(`@${bot}`).join(' '), text);
    if (!people.includes('@')) return [];
    const users = (await this.directory.usersByNames('simulator', namesAfterAts(people))).sort((a, b) => b.name.length - a.name.length);
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
}

/** Longest display name looked up after an `@`. */
const MAX_NAME_LENGTH = 32;

/** Every text that could be a display name after an `@` (each prefix of what follows it, in code points). */
export function namesAfterAts(text: string): string[] {
  const names: string[] = [];
  for (const part of text.split('@').slice(1)) {
    const chars = [...part.slice(0, MAX_NAME_LENGTH * 2)].slice(0, MAX_NAME_LENGTH);
    for (let n = 1; n <= chars.length; n++) names.push(chars.slice(0, n).join(''));
  }
  return names;
}
