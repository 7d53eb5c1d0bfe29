/**
 * Inbound side of WeCom: decoded app callbacks and bot frames become InboundEvents for the sink,
 * after the users and conversations they reveal are recorded in the directory. Also remembers
 * recent bot frames (in memory, only an optimisation): replies and card updates within WeCom's
 * windows go back on the frame of the message they answer.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { UnavailableError } from '../../server/http-error.js';
import { jobIdPart } from '../../queue/queues.js';
import type { Directory } from '../../services/directory.js';
import type { CardRefPort, InboundSink, Mention } from '../types.js';
import type { WecomBot } from './bot.js';
import { parseCardRef, type WecomCardRef } from './card-ref.js';
import type { WecomClient } from './client.js';
import { botCardEvent, botCardValues, botMessageContent, cardIdOf, conversationExternalId, decodeCallback, mentionTokens, parseCallbackXml } from './decode.js';
import type { WecomBotFrame } from './raw-types.js';

export interface InboundDeps {
  cardRefs: CardRefPort;
  directory: Directory;
  log: Logger;
  client: WecomClient | undefined;
  bot: WecomBot | undefined;
  now: () => Date;
}

type Remembered = { frame: WecomBotFrame; at: number; userid: string };
/** Retries of a bot frame refused while Redis is down (backoff 0.25 s doubling to 2 s: ~30 s in all). */
const BOT_FRAME_RETRIES = 18;
const FRAME_TTL_MS = 10 * 60_000;

export class WecomInbound {
  private sink: InboundSink | null = null;
  private readonly replyFrames = new Map<string, Remembered>();
  private readonly clickFrames = new Map<string, Remembered>();
  /** `@words` that are not users (the bot's own name...), so they are not looked up again. */
  private readonly notUsers = new Set<string>();

  constructor(private readonly d: InboundDeps) {}

  attach(sink: InboundSink | null): void {
    this.sink = sink;
  }

  /** A verified, decrypted app callback. Resolves once the event is durably queued. */
  async callback(plaintext: string): Promise<void> {
    const decoded = decodeCallback(parseCallbackXml(plaintext), this.d.now());
    if (!decoded) return;
    const sink = this.requireSink();
    // No user/get here: the 5 s deadline must not depend on a second WeCom call. Names come later.
    const known = await this.ensureUser(decoded.fromUser, false);
    if (!known) void this.refreshName(decoded.fromUser);
    if (decoded.event.kind === 'message') await this.ensureDm(decoded.fromUser);
    if (decoded.responseCode && decoded.event.kind === 'card-action') {
      await this.storeClickCode(decoded.event.cardId, decoded.responseCode, decoded.fromUser);
    }
    await sink.accept(decoded.event);
  }

  /**
   * A bot `aibot_msg_callback` / `aibot_event_callback`. The long connection has no redelivery,
   * so a frame refused because Redis is down is tried again here (in memory, for about half a
   * minute: longer than the private Redis takes to come back).
   */
  async botFrame(frame: WecomBotFrame): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.handleBotFrame(frame);
        return;
      } catch (err) {
        if (err instanceof UnavailableError && attempt < BOT_FRAME_RETRIES) {
          await sleep(Math.min(250 * 2 ** attempt, 2000));
          continue;
        }
        this.d.log.error({ err, reqId: frame.headers?.req_id }, 'WeCom bot frame not handled');
        return;
      }
    }
  }

  private async handleBotFrame(frame: WecomBotFrame): Promise<void> {
    const body = frame.body;
    const userid = body?.from?.userid;
    if (!body?.msgid || !userid) return;
    const sink = this.requireSink();
    const now = this.d.now();
    this.prune(now.getTime());
    await this.ensureUser(userid, true);
    const content = botMessageContent(body);
    if (content) {
      const group = body.chattype === 'group' && body.chatid ? body.chatid : null;
      const conversationId = group ? await this.ensureGroup(group, userid) : await this.ensureDm(userid);
      const eventId = `bot-msg-${body.msgid}`;
      this.replyFrames.set(replyKey(eventId), { frame, at: now.getTime(), userid });
      await sink.accept({
        kind: 'message',
        platform: 'wecom',
        eventId,
        conversationId,
        conversationType: group ? 'group' : 'direct',
        userId: `wecom:${userid}`,
        text: content.text,
        mentions: await this.mentions(content.text),
        receivedAt: now.toISOString(),
        // WeCom hands the intelligent bot only the group messages that @ it.
        addressedToBot: true,
        ...(content.file ? { file: content.file } : {}),
      });
      return;
    }
    const card = body.msgtype === 'event' ? botCardEvent(body) : null;
    if (card?.task_id && card.event_key) {
      const cardId = cardIdOf(card.task_id);
      this.clickFrames.set(cardId, { frame, at: now.getTime(), userid });
      await sink.accept({ kind: 'card-action', platform: 'wecom', eventId: `bot-evt-${body.msgid}`, cardId, userId: `wecom:${userid}`, action: card.event_key, values: botCardValues(card), receivedAt: now.toISOString() });
      return;
    }
    if (body.event?.eventtype === 'enter_chat') {
      await this.ensureDm(userid);
      this.replyFrames.set(replyKey(`bot-evt-${body.msgid}`), { frame, at: now.getTime(), userid });
    }
  }

  /** The bot frame an outbound reply answers (`reply-wecom-<event>-<n>`), if still within `windowMs`. */
  replyFrameFor(idempotencyKey: string, windowMs: number): WecomBotFrame | null {
    const m = /^(reply-wecom-.+)-\d+$/.exec(idempotencyKey);
    const hit = m ? this.replyFrames.get(m[1]!) : undefined;
    return hit && this.d.now().getTime() - hit.at <= windowMs ? hit.frame : null;
  }

  clickFrameFor(cardId: string, windowMs: number): Remembered | null {
    const hit = this.clickFrames.get(cardId);
    return hit && this.d.now().getTime() - hit.at <= windowMs ? hit : null;
  }

  async groupMembers(chatid: string): Promise<string[]> {
    const conv = await this.d.directory.conversation(`wecom:${conversationExternalId.group(chatid)}`);
    return (conv?.memberIds ?? []).map((id) => id.slice('wecom:'.length));
  }

  private async storeClickCode(cardId: string, code: string, userid: string): Promise<void> {
    const row = await this.d.cardRefs.get(cardId);
    if (!row) return;
    const ref: WecomCardRef = { ...(parseCardRef(row.platformRef) ?? { via: 'app', copy: 0 }), code, codeAt: this.d.now().getTime(), codeFor: userid };
    await this.d.cardRefs.setPlatformRef(cardId, JSON.stringify(ref));
  }

  /** Records a user seen for the first time; true when they were already known. */
  private async ensureUser(userid: string, lookupName: boolean): Promise<boolean> {
    if (await this.d.directory.user(`wecom:${userid}`)) return true;
    const found = lookupName ? await this.lookup(userid) : null;
    await this.d.directory.upsertUser({ platform: 'wecom', externalId: userid, name: found?.name ?? userid, roles: [], department: null });
    return false;
  }

  private async refreshName(userid: string): Promise<void> {
    const found = await this.lookup(userid);
    const user = await this.d.directory.user(`wecom:${userid}`);
    if (found && user && user.name !== found.name) await this.d.directory.upsertUser({ ...user, platform: 'wecom', name: found.name });
  }

  private async lookup(userid: string): Promise<{ name: string } | null> {
    if (!this.d.client) return null;
    try {
      return await this.d.client.getUser(userid);
    } catch (err) {
      this.d.log.warn({ err, userid }, 'WeCom user/get failed; using the userid as name');
      return null;
    }
  }

  private async ensureDm(userid: string): Promise<string> {
    const id = `wecom:${conversationExternalId.dm(userid)}`;
    if (await this.d.directory.conversation(id)) return id;
    const user = await this.d.directory.user(`wecom:${userid}`);
    await this.d.directory.upsertConversation({ platform: 'wecom', externalId: conversationExternalId.dm(userid), name: user?.name ?? userid, type: 'direct', memberIds: [`wecom:${userid}`] });
    return id;
  }

  /** Group members are learnt as they speak: WeCom gives the bot no member list. */
  private async ensureGroup(chatid: string, userid: string): Promise<string> {
    const externalId = conversationExternalId.group(chatid);
    const existing = await this.d.directory.conversation(`wecom:${externalId}`);
    const member = `wecom:${userid}`;
    if (existing?.memberIds.includes(member)) return existing.id;
    const conv = await this.d.directory.upsertConversation({
      platform: 'wecom',
      externalId,
      // WeCom tells the bot no group name: the chat id stands in (language-neutral) until one is known.
      name: existing?.name ?? chatid,
      type: 'group',
      memberIds: [...(existing?.memberIds ?? []), member],
    });
    return conv.id;
  }

  /**
   * WeCom delivers `@name` as plain text. A word is a mention when it is a known user's display
   * name (unique) or userid, or a userid the contacts API knows.
   */
  private async mentions(text: string): Promise<Mention[]> {
    const out: Mention[] = [];
    for (const word of mentionTokens(text)) {
      if (this.notUsers.has(word) || out.some((m) => m.name === word)) continue;
      const byName = await this.d.directory.usersByName('wecom', word);
      let user = byName.length === 1 ? byName[0]! : await this.d.directory.user(`wecom:${word}`);
      if (!user && /^[A-Za-z0-9_.@-]{1,64}$/.test(word)) {
        const found = await this.lookup(word);
        if (found) user = await this.d.directory.upsertUser({ platform: 'wecom', externalId: word, name: found.name, roles: [], department: null });
      }
      if (user) out.push({ userId: user.id, name: word });
      else this.notUsers.add(word);
    }
    return out;
  }

  private prune(now: number): void {
    for (const map of [this.replyFrames, this.clickFrames]) {
      for (const [k, v] of map) if (now - v.at > FRAME_TTL_MS) map.delete(k);
    }
  }

  private requireSink(): InboundSink {
    if (!this.sink) throw new Error('WeCom adapter is not started');
    return this.sink;
  }
}

function replyKey(eventId: string): string {
  return `reply-wecom-${jobIdPart(eventId)}`;
}
