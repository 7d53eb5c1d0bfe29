/**
 * A fake WeCom intelligent-bot long-connection server on 127.0.0.1 (platforms.md A6, part D):
 * `aibot_subscribe` first (checked), a receipt with the same req_id for every ping and command
 * (optionally late or with an error code), pushes of text messages, enter_chat and nested
 * template_card_event callbacks, kicks the older connection when a second one authenticates,
 * can stop answering pings or drop connections. Records what the bot sent per conversation.
 * Temporary media: `aibot_upload_media_init` / `_chunk` / `_finish` (receipts carry `body.upload_id`
 * and `body.media_id`); image messages must reference a media id it issued.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { isPng } from '../multipart.js';
import type { WecomTemplateCard } from '../../../src/platforms/wecom/raw-types.js';
import { Sequence } from './sequence.js';

export interface BotMessage {
  seq: number;
  /** `group:<chatid>` or `dm:<userid>`. */
  conversation: string;
  cmd: string;
  text?: string;
  card?: WecomTemplateCard;
  streamId?: string;
  /** Image messages: the media id and the bytes it was uploaded with. */
  mediaId?: string;
  image?: Buffer;
}

interface UploadSession {
  type: string;
  filename: string;
  totalSize: number;
  totalChunks: number;
  md5: string | undefined;
  chunks: Map<number, Buffer>;
}

/** The SDK's chunk size limit (512 KiB before base64). */
const MAX_CHUNK_BYTES = 512 * 1024;
const MEDIA_TTL_MS = 72 * 3600_000;

interface Frame {
  cmd?: string;
  headers: { req_id: string };
  body?: Record<string, unknown>;
}

type Pushed = { conversation: string; userid: string; at: number; eventtype?: string };

export class FakeWecomBotServer {
  readonly messages: BotMessage[] = [];
  readonly frames: Frame[] = [];
  /** task_id -> the card as currently shown. */
  readonly cards = new Map<string, WecomTemplateCard>();
  /** Uploaded temporary media by media id. */
  readonly media = new Map<string, { mediaId: string; type: string; filename: string; data: Buffer; at: number }>();
  private readonly uploads = new Map<string, UploadSession>();
  subscriptions = 0;
  private wss: WebSocketServer | null = null;
  private live: WebSocket | null = null;
  private readonly pushed = new Map<string, Pushed>();
  private readonly groups = new Set<string>();
  private readonly failures = new Map<string, number[]>();
  private answerPings = true;
  private receiptDelayMs = 0;
  private readonly seq: Sequence;
  url = '';

  constructor(
    private readonly o: { botId: string; secret: string; seq?: Sequence; updateWindowMs?: number },
  ) {
    this.seq = o.seq ?? new Sequence();
  }

  async start(): Promise<string> {
    this.wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => this.wss!.once('listening', () => resolve()));
    this.wss.on('connection', (ws) => this.onConnection(ws));
    this.url = `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}`;
    return this.url;
  }

  async close(): Promise<void> {
    for (const c of this.wss?.clients ?? []) c.terminate();
    await new Promise<void>((resolve) => (this.wss ? this.wss.close(() => resolve()) : resolve()));
  }

  // ---- scripting ----------------------------------------------------------------

  /** The next receipts for `cmd` carry these errcodes (e.g. 846605 invalid req_id). */
  failNext(cmd: string, ...errcodes: number[]): void {
    this.failures.set(cmd, [...(this.failures.get(cmd) ?? []), ...errcodes]);
  }

  setPingAnswers(on: boolean): void {
    this.answerPings = on;
  }

  setReceiptDelay(ms: number): void {
    this.receiptDelayMs = ms;
  }

  /** Drops the live connection without a close handshake (network loss). */
  dropConnection(): void {
    this.live?.terminate();
    this.live = null;
  }

  get connected(): boolean {
    return this.live?.readyState === WebSocket.OPEN;
  }

  async waitForSubscriptions(n: number, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.subscriptions < n || !this.connected) {
      if (Date.now() > deadline) throw new Error(`bot did not subscribe ${n} times (got ${this.subscriptions})`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  // ---- pushes -------------------------------------------------------------------

  /** Pushes a text message; pass the `msgid` of an earlier one to redeliver it. */
  pushText(m: { userid: string; content: string; chatid?: string; msgid?: string }): string {
    const chattype = m.chatid ? 'group' : 'single';
    if (m.chatid) this.groups.add(m.chatid);
    return this.push('aibot_msg_callback', { chattype, userid: m.userid, chatid: m.chatid }, { msgtype: 'text', text: { content: m.content }, ...(m.msgid ? { msgid: m.msgid } : {}) });
  }

  /** An image or file message (`{url, aeskey}` from FakeWecomApi.hostBotFile), or `mixed` text + image. */
  pushMedia(m: { userid: string; chatid?: string; kind: 'image' | 'file' | 'mixed'; media: { url: string; aeskey: string }; text?: string; filename?: string }): string {
    const chattype = m.chatid ? 'group' : 'single';
    const rest =
      m.kind === 'mixed'
        ? { msgtype: 'mixed', mixed: { msg_item: [{ msgtype: 'text', text: { content: m.text ?? '' } }, { msgtype: 'image', image: m.media }] } }
        : { msgtype: m.kind, [m.kind]: { ...m.media, ...(m.filename ? { filename: m.filename } : {}) } };
    return this.push('aibot_msg_callback', { chattype, userid: m.userid, chatid: m.chatid }, rest);
  }

  pushCardEvent(m: { userid: string; taskId: string; eventKey: string; chatid?: string; selected?: Record<string, string[]> }): string {
    const selected_item = Object.entries(m.selected ?? {}).map(([question_key, ids]) => ({ question_key, option_ids: { option_id: ids } }));
    const template_card_event = { card_type: this.cards.get(m.taskId)?.card_type ?? 'button_interaction', event_key: m.eventKey, task_id: m.taskId, ...(selected_item.length ? { selected_items: { selected_item } } : {}) };
    return this.push('aibot_event_callback', { chattype: m.chatid ? 'group' : 'single', userid: m.userid, chatid: m.chatid }, { msgtype: 'event', event: { eventtype: 'template_card_event', template_card_event } });
  }

  pushEnterChat(userid: string): string {
    return this.push('aibot_event_callback', { chattype: 'single', userid }, { msgtype: 'event', event: { eventtype: 'enter_chat' } });
  }

  private push(cmd: string, who: { chattype: string; userid: string; chatid?: string | undefined }, rest: Record<string, unknown>): string {
    if (!this.live) throw new Error('no live bot connection');
    const req_id = `${cmd}_${Date.now()}_${randomBytes(4).toString('hex')}`;
    const conversation = who.chatid ? `group:${who.chatid}` : `dm:${who.userid}`;
    const eventtype = (rest.event as { eventtype?: string } | undefined)?.eventtype;
    this.pushed.set(req_id, { conversation, userid: who.userid, at: Date.now(), ...(eventtype ? { eventtype } : {}) });
    const body = {
      msgid: randomBytes(8).toString('hex'),
      // (a redelivery passes its own msgid in `rest`)
      aibotid: this.o.botId,
      chattype: who.chattype,
      ...(who.chatid ? { chatid: who.chatid } : {}),
      from: { userid: who.userid },
      create_time: Math.floor(Date.now() / 1000),
      ...rest,
    };
    this.live.send(JSON.stringify({ cmd, headers: { req_id }, body }));
    return req_id;
  }

  // ---- the socket ---------------------------------------------------------------

  private onConnection(ws: WebSocket): void {
    let authed = false;
    ws.on('message', (data) => {
      let frame: Frame;
      try {
        frame = JSON.parse(String(data)) as Frame;
      } catch {
        ws.close(1003, 'not JSON');
        return;
      }
      this.frames.push(frame);
      const req_id = frame.headers?.req_id;
      if (!authed) {
        if (frame.cmd !== 'aibot_subscribe') return ws.close(1008, 'subscribe first');
        const ok = frame.body?.bot_id === this.o.botId && frame.body?.secret === this.o.secret;
        ws.send(JSON.stringify({ headers: { req_id }, errcode: ok ? 0 : 40001, errmsg: ok ? 'ok' : 'invalid bot_id or secret' }));
        if (!ok) return;
        authed = true;
        this.subscriptions++;
        const old = this.live;
        this.live = ws;
        if (old && old !== ws && old.readyState === WebSocket.OPEN) {
          old.send(JSON.stringify({ cmd: 'aibot_event_callback', headers: { req_id: `evt_${Date.now()}` }, body: { msgid: randomBytes(8).toString('hex'), msgtype: 'event', event: { eventtype: 'disconnected_event' } } }));
          setTimeout(() => old.close(), 50);
        }
        return;
      }
      if (frame.cmd === 'ping') {
        if (this.answerPings) ws.send(JSON.stringify({ headers: { req_id }, errcode: 0, errmsg: 'ok' }));
        return;
      }
      const failure = this.failures.get(frame.cmd ?? '')?.shift();
      const result = failure ?? this.apply(frame);
      const { errcode, body } = typeof result === 'number' ? { errcode: result, body: undefined } : result;
      const receipt = JSON.stringify({ headers: { req_id }, errcode, errmsg: errcode === 0 ? 'ok' : 'refused', ...(body ? { body } : {}) });
      if (this.receiptDelayMs) setTimeout(() => ws.send(receipt), this.receiptDelayMs);
      else ws.send(receipt);
    });
    ws.on('close', () => {
      if (this.live === ws) this.live = null;
    });
  }

  /** Applies a client command; returns the receipt errcode (and body, for uploads). */
  private apply(frame: Frame): number | { errcode: number; body: Record<string, unknown> } {
    const body = frame.body ?? {};
    const req = this.pushed.get(frame.headers.req_id);
    switch (frame.cmd) {
      case 'aibot_respond_msg':
      case 'aibot_respond_welcome_msg': {
        if (!req) return 846605;
        return this.record(req.conversation, frame.cmd, body);
      }
      case 'aibot_send_msg': {
        const chatid = String(body.chatid ?? '');
        if (!chatid) return 40058;
        return this.record(this.groups.has(chatid) ? `group:${chatid}` : `dm:${chatid}`, frame.cmd, body);
      }
      case 'aibot_respond_update_msg': {
        if (!req || req.eventtype !== 'template_card_event') return 846605;
        if (Date.now() - req.at > (this.o.updateWindowMs ?? 5000)) return 846608;
        const card = body.template_card as WecomTemplateCard | undefined;
        if (body.response_type !== 'update_template_card' || !card?.task_id || !this.cards.has(card.task_id)) return 40058;
        this.cards.set(card.task_id, card);
        return 0;
      }
      case 'aibot_upload_media_init':
        return this.uploadInit(body);
      case 'aibot_upload_media_chunk':
        return this.uploadChunk(body);
      case 'aibot_upload_media_finish':
        return this.uploadFinish(body);
      default:
        return 40058;
    }
  }

  private uploadInit(b: Record<string, unknown>): number | { errcode: number; body: Record<string, unknown> } {
    const totalSize = Number(b.total_size);
    const totalChunks = Number(b.total_chunks);
    if (!['image', 'file', 'voice', 'video'].includes(String(b.type)) || typeof b.filename !== 'string' || !b.filename) return 40058;
    if (!Number.isInteger(totalSize) || totalSize <= 0 || !Number.isInteger(totalChunks) || totalChunks < 1 || totalChunks > 100) return 40058;
    if (Math.ceil(totalSize / MAX_CHUNK_BYTES) !== totalChunks) return 40058;
    const uploadId = randomBytes(12).toString('hex');
    this.uploads.set(uploadId, { type: String(b.type), filename: b.filename, totalSize, totalChunks, md5: typeof b.md5 === 'string' ? b.md5 : undefined, chunks: new Map() });
    return { errcode: 0, body: { upload_id: uploadId } };
  }

  /** Chunk indexes as the SDK sends them (0-based; platforms.md A6: which base the server expects is unverified). */
  private uploadChunk(b: Record<string, unknown>): number {
    const session = this.uploads.get(String(b.upload_id ?? ''));
    if (!session) return 40058;
    const index = Number(b.chunk_index);
    if (!Number.isInteger(index) || index < 0 || index >= session.totalChunks || typeof b.base64_data !== 'string') return 40058;
    const data = Buffer.from(b.base64_data, 'base64');
    if (data.length === 0 || data.length > MAX_CHUNK_BYTES) return 40058;
    session.chunks.set(index, data);
    return 0;
  }

  private uploadFinish(b: Record<string, unknown>): number | { errcode: number; body: Record<string, unknown> } {
    const uploadId = String(b.upload_id ?? '');
    const session = this.uploads.get(uploadId);
    if (!session || session.chunks.size !== session.totalChunks) return 40058;
    this.uploads.delete(uploadId);
    const data = Buffer.concat([...session.chunks.entries()].sort(([a], [b]) => a - b).map(([, d]) => d));
    if (data.length !== session.totalSize) return 40058;
    if (session.md5 && createHash('md5').update(data).digest('hex') !== session.md5) return 40058;
    if (session.type === 'image' && !isPng(data)) return 40005;
    const mediaId = `3${randomBytes(24).toString('base64url')}`;
    const at = Date.now();
    this.media.set(mediaId, { mediaId, type: session.type, filename: session.filename, data, at });
    return { errcode: 0, body: { type: session.type, media_id: mediaId, created_at: String(Math.floor(at / 1000)) } };
  }

  private record(conversation: string, cmd: string, body: Record<string, unknown>): number {
    const msgtype = String(body.msgtype ?? '');
    if (msgtype === 'stream') {
      const stream = body.stream as { id: string; content?: string };
      const existing = this.messages.find((m) => m.streamId === stream.id);
      if (existing) existing.text = stream.content ?? '';
      else this.messages.push({ seq: this.seq.next(), conversation, cmd, streamId: stream.id, text: stream.content ?? '' });
      return 0;
    }
    if (msgtype === 'template_card') {
      const card = body.template_card as WecomTemplateCard;
      if (!card?.task_id) return 40058;
      this.cards.set(card.task_id, card);
      this.messages.push({ seq: this.seq.next(), conversation, cmd, card });
      return 0;
    }
    if (msgtype === 'image') {
      const media = this.media.get(String((body.image as { media_id?: unknown } | undefined)?.media_id ?? ''));
      if (!media || media.type !== 'image' || Date.now() - media.at > MEDIA_TTL_MS) return 40007;
      this.messages.push({ seq: this.seq.next(), conversation, cmd, mediaId: media.mediaId, image: media.data });
      return 0;
    }
    if (msgtype === 'markdown' || msgtype === 'text') {
      const content = (body[msgtype] as { content?: string } | undefined)?.content ?? '';
      this.messages.push({ seq: this.seq.next(), conversation, cmd, text: content });
      return 0;
    }
    return 40058;
  }
}
