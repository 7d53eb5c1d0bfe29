/**
 * A fake WeCom server API on 127.0.0.1 (platforms.md part D): tokens that can expire or be revoked,
 * the access token read from the query string only, HTTP 200 + errcode for everything it knows,
 * the shape rules of message/send, appchat and update_template_card, single-use 72 h response codes,
 * temporary media (multipart `media/upload`, 3-day media ids that image messages must reference),
 * recorded requests and scripted faults. Not a model of our code: it checks what WeCom checks.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WecomTemplateCard } from '../../../src/platforms/wecom/raw-types.js';
import { type FormPart, isPng, multipartBoundary, parseMultipart } from '../multipart.js';
import { Sequence } from './sequence.js';

export interface FakeApiOptions {
  corpId: string;
  secret: string;
  agentId: number;
  /** userid -> display name; other userids are invalid recipients. */
  users: Record<string, string>;
  seq?: Sequence;
  now?: () => number;
}

export interface RecordedRequest {
  api: string;
  query: Record<string, string>;
  body: Record<string, unknown> | undefined;
  at: number;
  errcode: number;
}

export interface DeliveredMessage {
  seq: number;
  /** The recipient userid (one entry per recipient) or `chat:<chatid>` for appchat. */
  to: string;
  msgtype: string;
  text?: string;
  taskId?: string;
  msgid: string;
  /** Image messages: the media id and the bytes it was uploaded with. */
  mediaId?: string;
  image?: Buffer;
}

/** A temporary media file uploaded through media/upload. */
export interface UploadedMedia {
  mediaId: string;
  filename: string;
  contentType: string;
  data: Buffer;
  at: number;
}

/** The card as one user currently sees it. */
export interface CardView {
  taskId: string;
  card: WecomTemplateCard;
  /** Set by update_template_card `button.replace_name`: the buttons became this text. */
  replacedWith?: string;
}

type Fault = { errcode: number; times: number; delayMs?: number };
const CODE_TTL_MS = 72 * 3600_000;
const MEDIA_TTL_MS = 72 * 3600_000;
const BOT_FILE_TTL_MS = 5 * 60_000;
const AUTH_CODE_TTL_MS = 5 * 60_000;
const TASK_ID = /^[A-Za-z0-9_\-@]{1,128}$/;

export class FakeWecomApi {
  readonly requests: RecordedRequest[] = [];
  readonly messages: DeliveredMessage[] = [];
  /** `${taskId}|${userid}` -> what that user sees. */
  readonly cards = new Map<string, CardView>();
  readonly chats = new Map<string, { name: string; owner: string; userlist: string[] }>();
  /** Temporary media by media id. */
  readonly uploads = new Map<string, UploadedMedia>();
  /** Media people sent to the app (image/file callbacks), served by media/get. */
  readonly received = new Map<string, UploadedMedia>();
  /** Files of intelligent-bot messages, served encrypted at `/botfile/<id>` for 5 minutes. */
  private readonly botFiles = new Map<string, { data: Buffer; filename: string; at: number }>();
  /** Schedules by calendar id, answered by oa/schedule/get_by_calendar (times in seconds). */
  readonly calendars = new Map<string, Array<{ schedule_id: string; summary: string; start_time: number; end_time: number; attendees: Array<{ userid: string }> }>>();
  private readonly tokens = new Map<string, number>();
  private readonly revoked = new Set<string>();
  private readonly codes = new Map<string, { taskId: string; userids: string[]; issuedAt: number; used: boolean }>();
  private readonly taskIds = new Set<string>();
  /** Web OAuth codes: single use, 5 minutes (auth/getuserinfo). */
  private readonly authCodes = new Map<string, { userid: string; issuedAt: number; used: boolean }>();
  private readonly faults = new Map<string, Fault[]>();
  private slowMs = 0;
  private server: Server | null = null;
  private readonly seq: Sequence;
  private readonly now: () => number;
  baseUrl = '';

  constructor(private readonly o: FakeApiOptions) {
    this.seq = o.seq ?? new Sequence();
    this.now = o.now ?? Date.now;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.baseUrl;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  // ---- scripting ---------------------------------------------------------------

  /** The next `times` calls of `api` answer `errcode` (after `delayMs`). */
  fail(api: string, errcode: number, times = 1, delayMs = 0): void {
    this.faults.set(api, [...(this.faults.get(api) ?? []), { errcode, times, delayMs }]);
  }

  /** Every answer waits this long (a slow WeCom). */
  slow(ms: number): void {
    this.slowMs = ms;
  }

  /** Tokens issued so far expire now (-> 42001). */
  expireTokens(): void {
    for (const t of this.tokens.keys()) this.tokens.set(t, 0);
  }

  /** Tokens issued so far become invalid (-> 40014), as when WeCom invalidates one early. */
  revokeTokens(): void {
    for (const t of this.tokens.keys()) this.revoked.add(t);
  }

  /** Every response code issued so far expires (as after 72 h). */
  expireCodes(): void {
    for (const c of this.codes.values()) c.issuedAt = -CODE_TTL_MS;
  }

  /** Every media id issued so far expires (as after 3 days). */
  expireMedia(): void {
    for (const m of this.uploads.values()) m.at = -MEDIA_TTL_MS;
  }

  /**
   * A person sends the app an image or file: WeCom keeps it as temporary media (3 days) and the
   * callback carries its MediaId, which media/get answers with the bytes.
   */
  receiveMedia(data: Buffer, filename: string, contentType: string): string {
    const mediaId = `R${randomBytes(24).toString('base64url')}`;
    this.received.set(mediaId, { mediaId, filename, contentType, data, at: this.now() });
    return mediaId;
  }

  /** Every received media id expires (as after 3 days). */
  expireReceived(): void {
    for (const m of this.received.values()) m.at = -MEDIA_TTL_MS;
  }

  /**
   * A file of an intelligent-bot message: a URL valid 5 minutes serving it AES-256-CBC encrypted
   * with a fresh key (PKCS#7 to 32 bytes, IV = the key's first 16 bytes), and that key (platforms.md A6).
   */
  hostBotFile(data: Buffer, filename: string): { url: string; aeskey: string } {
    const key = randomBytes(32);
    const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
    cipher.setAutoPadding(false);
    const pad = 32 - (data.length % 32);
    const id = randomBytes(12).toString('hex');
    this.botFiles.set(id, { data: Buffer.concat([cipher.update(Buffer.concat([data, Buffer.alloc(pad, pad)])), cipher.final()]), filename, at: this.now() });
    return { url: `${this.baseUrl}/botfile/${id}`, aeskey: key.toString('base64') };
  }

  /** A click: WeCom issues the clicker a fresh response code for that card (sent in the callback). */
  clickCode(taskId: string, userid: string): string {
    return this.issueCode(taskId, [userid]);
  }

  /** What WeCom's authorize page hands a member's browser (in the redirect to our /auth/wecom). */
  issueAuthCode(userid: string): string {
    const code = randomBytes(16).toString('hex');
    this.authCodes.set(code, { userid, issuedAt: this.now(), used: false });
    return code;
  }

  /** Every web OAuth code issued so far expires (as after 5 minutes). */
  expireAuthCodes(): void {
    for (const c of this.authCodes.values()) c.issuedAt = -AUTH_CODE_TTL_MS;
  }

  calls(api: string): RecordedRequest[] {
    return this.requests.filter((r) => r.api === api);
  }

  /** What `userid` currently sees of the latest copy of cards whose task id satisfies `match`. */
  cardFor(userid: string, taskId: string): CardView | undefined {
    return this.cards.get(`${taskId}|${userid}`);
  }

  // ---- HTTP ---------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const api = url.pathname.replace(/^\/cgi-bin\//, '');
    const query = Object.fromEntries(url.searchParams);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const rawBytes = Buffer.concat(chunks);
    const raw = rawBytes.toString('utf8');
    const boundary = multipartBoundary(req.headers['content-type']);
    let body: Record<string, unknown> | undefined;
    if (boundary) {
      // A multipart body (media/upload): the routes see its parts.
      const parts = parseMultipart(rawBytes, boundary);
      if (!parts) return this.answer(res, api, query, undefined, { errcode: 47001, errmsg: 'data format error (multipart)' });
      body = { parts };
    } else if (raw) {
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return this.answer(res, api, query, undefined, { errcode: 47001, errmsg: 'data format error' });
      }
    }
    if (url.pathname.startsWith('/botfile/')) return this.serveBotFile(res, url.pathname.slice('/botfile/'.length));
    const route = ROUTES[api];
    if (!route || !url.pathname.startsWith('/cgi-bin/')) {
      res.writeHead(404).end('not found');
      return;
    }
    if (this.slowMs) await sleep(this.slowMs);
    if (api !== 'gettoken') {
      const auth = this.checkToken(query, body);
      if (auth) return this.answer(res, api, query, body, auth);
    }
    const fault = this.takeFault(api);
    if (fault) {
      if (fault.delayMs) await sleep(fault.delayMs);
      return this.answer(res, api, query, body, { errcode: fault.errcode, errmsg: `scripted fault ${fault.errcode}` });
    }
    if (api === 'media/get') return this.mediaGet(res, query);
    this.answer(res, api, query, body, route.fn.call(this, query, body ?? {}));
  }

  /** media/get: the bytes with their Content-Type and file name, or (HTTP 200) JSON errcode 40007. */
  private mediaGet(res: ServerResponse, query: Record<string, string>): void {
    const media = this.received.get(query.media_id ?? '');
    if (!media || this.now() - media.at > MEDIA_TTL_MS) return this.answer(res, 'media/get', query, undefined, { errcode: 40007, errmsg: 'invalid media_id' });
    this.requests.push({ api: 'media/get', query, body: undefined, at: this.now(), errcode: 0 });
    res.writeHead(200, {
      'content-type': media.contentType,
      'content-length': String(media.data.length),
      'content-disposition': `attachment; filename="${encodeURIComponent(media.filename)}"; filename*=UTF-8''${encodeURIComponent(media.filename)}`,
    });
    res.end(media.data);
  }

  private serveBotFile(res: ServerResponse, id: string): void {
    const file = this.botFiles.get(id);
    if (!file || this.now() - file.at > BOT_FILE_TTL_MS) {
      res.writeHead(404).end('expired or unknown');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(file.data.length), 'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}` });
    res.end(file.data);
  }

  private answer(res: ServerResponse, api: string, query: Record<string, string>, body: Record<string, unknown> | undefined, out: { errcode: number; errmsg: string; [k: string]: unknown }): void {
    this.requests.push({ api, query, body, at: this.now(), errcode: out.errcode });
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(out));
  }

  private checkToken(query: Record<string, string>, body: Record<string, unknown> | undefined) {
    const token = query.access_token;
    if (!token) return { errcode: 41001, errmsg: body && 'access_token' in body ? 'access_token missing (a token in the body is not read)' : 'access_token missing' };
    if (this.revoked.has(token) || !this.tokens.has(token)) return { errcode: 40014, errmsg: 'invalid access_token' };
    if (this.tokens.get(token)! <= this.now()) return { errcode: 42001, errmsg: 'access_token expired' };
    return null;
  }

  private takeFault(api: string): Fault | null {
    const list = this.faults.get(api);
    const f = list?.[0];
    if (!f) return null;
    if (--f.times <= 0) list!.shift();
    return f;
  }

  /** JS-SDK tickets issued (the latest of each kind signs what a page's `ww.register` checks). */
  readonly jsapiTickets: { corp: string[]; agent: string[] } = { corp: [], agent: [] };

  corpTicket() {
    const ticket = `corp-${randomBytes(12).toString('hex')}`;
    this.jsapiTickets.corp.push(ticket);
    return { errcode: 0, errmsg: 'ok', ticket, expires_in: 7200 };
  }

  agentTicket(query: Record<string, string>) {
    if (query.type !== 'agent_config') return { errcode: 40001, errmsg: 'invalid type (expected agent_config)' };
    const ticket = `agent-${randomBytes(12).toString('hex')}`;
    this.jsapiTickets.agent.push(ticket);
    return { errcode: 0, errmsg: 'ok', ticket, expires_in: 7200 };
  }

  issueToken(query: Record<string, string>) {
    if (query.corpid !== this.o.corpId) return { errcode: 40013, errmsg: 'invalid corpid' };
    if (query.corpsecret !== this.o.secret) return { errcode: 40001, errmsg: 'invalid credential' };
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, this.now() + 7200_000);
    return { errcode: 0, errmsg: 'ok', access_token: token, expires_in: 7200 };
  }

  send(_q: Record<string, string>, b: Record<string, unknown>) {
    if (typeof b.touser !== 'string') return { errcode: 40058, errmsg: 'touser must be a string of userids joined by |' };
    if (b.agentid !== this.o.agentId) return { errcode: 301002, errmsg: 'agentid does not match the token' };
    const msgtype = String(b.msgtype);
    const users = b.touser.split('|');
    const valid = users.filter((u) => u in this.o.users);
    const invalid = users.filter((u) => !(u in this.o.users));
    if (valid.length === 0) return { errcode: 81013, errmsg: 'user & party & tag all invalid' };
    const payload = b[msgtype] as Record<string, unknown> | undefined;
    if (!payload) return { errcode: 40008, errmsg: `missing ${msgtype}` };
    const msgid = randomBytes(8).toString('hex');
    const extra: Record<string, unknown> = {};
    if (msgtype === 'template_card') {
      const card = payload as unknown as WecomTemplateCard;
      const problem = cardProblem(card);
      if (problem) return { errcode: 40058, errmsg: problem };
      if (this.taskIds.has(card.task_id)) return { errcode: 40058, errmsg: `task_id ${card.task_id} already used by this app` };
      this.taskIds.add(card.task_id);
      for (const u of valid) this.cards.set(`${card.task_id}|${u}`, { taskId: card.task_id, card });
      if (card.card_type !== 'text_notice') extra.response_code = this.issueCode(card.task_id, valid);
    } else if (msgtype === 'text' || msgtype === 'markdown') {
      const content = String((payload as { content?: unknown }).content ?? '');
      if (Buffer.byteLength(content) > 2048) return { errcode: 44004, errmsg: 'content over 2048 bytes' };
    }
    const image = msgtype === 'image' ? this.mediaFor(payload) : null;
    if (image && 'errcode' in image) return image;
    for (const u of valid) {
      this.messages.push({
        seq: this.seq.next(),
        to: u,
        msgtype,
        msgid,
        ...(msgtype === 'template_card'
          ? { taskId: (payload as unknown as WecomTemplateCard).task_id }
          : image
            ? { mediaId: image.mediaId, image: image.data }
            : { text: String((payload as { content?: unknown }).content ?? '') }),
      });
    }
    return { errcode: 0, errmsg: 'ok', msgid, ...(invalid.length ? { invaliduser: invalid.join('|') } : {}), ...extra };
  }

  update(_q: Record<string, string>, b: Record<string, unknown>) {
    if (b.agentid !== this.o.agentId) return { errcode: 301002, errmsg: 'agentid does not match the token' };
    if (b.userids !== undefined && !Array.isArray(b.userids)) return { errcode: 40058, errmsg: 'userids must be an array' };
    const code = this.codes.get(String(b.response_code));
    // The real errcode for a spent or expired code is not documented; any non-zero code will do for us.
    if (!code || code.used || this.now() - code.issuedAt > CODE_TTL_MS) return { errcode: 40058, errmsg: 'invalid response_code' };
    const who = b.atall === 1 ? code.userids : ((b.userids as string[] | undefined) ?? code.userids).filter((u) => code.userids.includes(u));
    const button = b.button as { replace_name?: string } | undefined;
    const card = b.template_card as WecomTemplateCard | undefined;
    if (!button?.replace_name && !card) return { errcode: 40058, errmsg: 'button or template_card required' };
    if (card && card.task_id !== code.taskId) return { errcode: 40058, errmsg: 'task_id must stay the same' };
    code.used = true;
    for (const u of who) {
      const key = `${code.taskId}|${u}`;
      const current = this.cards.get(key);
      if (!current) continue;
      this.cards.set(key, card ? { taskId: code.taskId, card } : { ...current, replacedWith: button!.replace_name! });
    }
    return { errcode: 0, errmsg: 'ok' };
  }

  appchatCreate(_q: Record<string, string>, b: Record<string, unknown>) {
    if (!Array.isArray(b.userlist) || b.userlist.length < 2 || b.userlist.length > 2000) return { errcode: 40058, errmsg: 'userlist must be an array of 2..2000 userids' };
    const chatid = typeof b.chatid === 'string' ? b.chatid : randomBytes(8).toString('hex');
    if (!/^[0-9a-zA-Z]{1,32}$/.test(chatid)) return { errcode: 86003, errmsg: 'invalid chatid' };
    this.chats.set(chatid, { name: String(b.name ?? ''), owner: String(b.owner ?? ''), userlist: b.userlist as string[] });
    return { errcode: 0, errmsg: 'ok', chatid };
  }

  appchatSend(_q: Record<string, string>, b: Record<string, unknown>) {
    const chatid = String(b.chatid ?? '');
    if (!this.chats.has(chatid)) return { errcode: 86003, errmsg: 'chat does not exist' };
    if ('agentid' in b) return { errcode: 40058, errmsg: 'appchat/send takes no agentid' };
    const msgtype = String(b.msgtype);
    if (msgtype === 'template_card') return { errcode: 40008, errmsg: 'template_card is not supported in appchat' };
    const payload = b[msgtype] as { content?: string } | undefined;
    if (!payload) return { errcode: 40008, errmsg: `missing ${msgtype}` };
    const image = msgtype === 'image' ? this.mediaFor(payload) : null;
    if (image && 'errcode' in image) return image;
    this.messages.push({
      seq: this.seq.next(),
      to: `chat:${chatid}`,
      msgtype,
      msgid: randomBytes(8).toString('hex'),
      ...(image ? { mediaId: image.mediaId, image: image.data } : { text: String(payload.content ?? '') }),
    });
    return { errcode: 0, errmsg: 'ok' };
  }

  /**
   * POST media/upload?type=image, multipart/form-data with the file in a part named `media` (with a
   * filename and content type). This fake takes PNG images only (the real one also takes JPG).
   */
  upload(q: Record<string, string>, b: Record<string, unknown>) {
    if (!['image', 'voice', 'video', 'file'].includes(q.type ?? '')) return { errcode: 40004, errmsg: 'invalid media type' };
    const parts = b.parts as FormPart[] | undefined;
    const media = parts?.find((p) => p.name === 'media');
    if (!media?.filename) return { errcode: 41005, errmsg: 'media data missing (multipart part "media" with a filename)' };
    if (q.type !== 'image') return { errcode: 40004, errmsg: 'this fake takes images only' };
    if (media.contentType !== 'image/png' || !isPng(media.data)) return { errcode: 40005, errmsg: 'invalid file type (expected a PNG image, Content-Type image/png)' };
    if (media.data.length > 10 * 1024 * 1024) return { errcode: 40006, errmsg: 'invalid file size' };
    const mediaId = `3${randomBytes(24).toString('base64url')}`;
    const at = this.now();
    this.uploads.set(mediaId, { mediaId, filename: media.filename, contentType: media.contentType, data: Buffer.from(media.data), at });
    return { errcode: 0, errmsg: 'ok', type: 'image', media_id: mediaId, created_at: String(Math.floor(at / 1000)) };
  }

  /** The upload an image payload refers to, or 40007 for an id this fake did not issue (or that expired). */
  private mediaFor(payload: Record<string, unknown>): UploadedMedia | { errcode: number; errmsg: string } {
    const upload = this.uploads.get(String(payload.media_id ?? ''));
    if (!upload || this.now() - upload.at > MEDIA_TTL_MS) return { errcode: 40007, errmsg: 'invalid media_id' };
    return upload;
  }

  recall(_q: Record<string, string>, b: Record<string, unknown>) {
    const i = this.messages.findIndex((m) => m.msgid === b.msgid);
    if (i < 0) return { errcode: 40008, errmsg: 'message not found' };
    this.messages.splice(i, 1);
    return { errcode: 0, errmsg: 'ok' };
  }

  getUser(q: Record<string, string>) {
    const name = this.o.users[q.userid ?? ''];
    return name ? { errcode: 0, errmsg: 'ok', userid: q.userid, name } : { errcode: 60111, errmsg: 'userid not found' };
  }

  /** GET auth/getuserinfo?code=: a member's userid; a wrong, used or expired code is 40029. */
  authUserInfo(q: Record<string, string>) {
    const entry = this.authCodes.get(q.code ?? '');
    if (!entry || entry.used || this.now() - entry.issuedAt > AUTH_CODE_TTL_MS) return { errcode: 40029, errmsg: 'invalid code' };
    entry.used = true;
    return { errcode: 0, errmsg: 'ok', userid: entry.userid, user_ticket: randomBytes(8).toString('hex'), expires_in: 1800 };
  }

  schedulesByCalendar(_q: Record<string, string>, b: Record<string, unknown>) {
    const list = this.calendars.get(String(b.cal_id));
    if (!list) return { errcode: 40001, errmsg: 'invalid cal_id' };
    const offset = Number(b.offset ?? 0);
    const limit = Math.min(Number(b.limit ?? 500), 1000);
    return { errcode: 0, errmsg: 'ok', schedule_list: list.slice(offset, offset + limit) };
  }

  private issueCode(taskId: string, userids: string[]): string {
    const code = randomBytes(12).toString('hex');
    this.codes.set(code, { taskId, userids, issuedAt: this.now(), used: false });
    return code;
  }
}

type Handler = (this: FakeWecomApi, q: Record<string, string>, b: Record<string, unknown>) => { errcode: number; errmsg: string; [k: string]: unknown };
const ROUTES: Record<string, { fn: Handler }> = {
  gettoken: { fn: FakeWecomApi.prototype.issueToken },
  'message/send': { fn: FakeWecomApi.prototype.send },
  'message/update_template_card': { fn: FakeWecomApi.prototype.update },
  'message/recall': { fn: FakeWecomApi.prototype.recall },
  'appchat/create': { fn: FakeWecomApi.prototype.appchatCreate },
  'appchat/send': { fn: FakeWecomApi.prototype.appchatSend },
  'media/upload': { fn: FakeWecomApi.prototype.upload },
  // Answered by mediaGet (bytes, not JSON).
  'media/get': { fn: () => ({ errcode: -1, errmsg: 'unreachable' }) },
  'user/get': { fn: FakeWecomApi.prototype.getUser },
  'oa/schedule/get_by_calendar': { fn: FakeWecomApi.prototype.schedulesByCalendar },
  'auth/getuserinfo': { fn: FakeWecomApi.prototype.authUserInfo },
  get_jsapi_ticket: { fn: FakeWecomApi.prototype.corpTicket },
  'ticket/get': { fn: FakeWecomApi.prototype.agentTicket },
};

/** WeCom's documented template card rules that a sender can break. */
export function cardProblem(card: WecomTemplateCard): string | null {
  if (!TASK_ID.test(card.task_id ?? '')) return 'task_id must be 1..128 of [A-Za-z0-9_-@]';
  if (!card.main_title?.title) return 'main_title.title required';
  if (card.card_type === 'button_interaction') {
    const list = card.button_list ?? [];
    if (list.length < 1 || list.length > 6) return 'button_list must have 1..6 buttons';
    if (new Set(list.map((b) => b.key)).size !== list.length) return 'button keys must be unique';
  }
  if (card.card_type === 'vote_interaction' && (!card.checkbox || card.checkbox.option_list.length < 1 || card.checkbox.option_list.length > 20 || !card.submit_button)) return 'vote card needs checkbox (1..20 options) and submit_button';
  if (card.card_type === 'multiple_interaction' && (!card.select_list?.length || card.select_list.length > 3 || !card.submit_button)) return 'multiple card needs 1..3 select_list and submit_button';
  if ((card.horizontal_content_list?.length ?? 0) > 6) return 'horizontal_content_list over 6';
  return null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
