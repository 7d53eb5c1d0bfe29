/**
 * Fake DingTalk OpenAPI on 127.0.0.1 (platforms.md B4-B7, part D): the stream gateway, oauth2
 * tokens, robot sends, cards, DING and the session webhooks it hands out. Requests are recorded;
 * faults are scripted per path.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type FormPart, isPng, multipartBoundary, parseMultipart } from '../multipart.js';
import type { FakeStreamServer } from './stream-server.js';
import type { FakeMessage, FakeWorld } from './world.js';

export interface RecordedRequest {
  method: string;
  path: string;
  body: Record<string, unknown>;
  status: number;
  at: number;
}

export interface ScriptedFault {
  status: number;
  body: Record<string, unknown>;
}

export interface FakeOpenApiOptions {
  clientId: string;
  clientSecret: string;
  robotCode: string;
  tokenTtlSeconds: number;
}

type Answer = [number, Record<string, unknown>];

export class FakeOpenApi {
  readonly requests: RecordedRequest[] = [];
  readonly dings: Array<{ remindType: number; receivers: string[]; content: string }> = [];
  private readonly tokens = new Map<string, number>();
  private readonly sessions = new Map<string, { cid: string; expiresAt: number }>();
  private readonly faults = new Map<string, ScriptedFault[]>();
  /** staffId -> how many more batchSend calls report them flow-controlled. */
  readonly flowControlled = new Map<string, number>();
  readonly invalidStaff = new Set<string>();
  baseUrl = '';
  /** JSAPI tickets handed out by get_jsapi_ticket, oldest first. */
  readonly jsapiTickets: string[] = [];
  /** Short-lived download URLs handed out by robot/messageFiles/download (token -> downloadCode, expiry). */
  private readonly downloads = new Map<string, { downloadCode: string; expiresAt: number }>();
  /** H5 免登 auth codes: single use, 5 minutes (topapi/v2/user/getuserinfo). */
  private readonly authCodes = new Map<string, { staffId: string; expiresAt: number; used: boolean }>();

  constructor(
    private readonly world: FakeWorld,
    private readonly stream: FakeStreamServer,
    private readonly opts: FakeOpenApiOptions,
  ) {}

  /** The next `times` calls to `path` answer with this fault. */
  fault(path: string, fault: ScriptedFault, times = 1): void {
    this.faults.set(path, [...(this.faults.get(path) ?? []), ...Array.from({ length: times }, () => fault)]);
  }

  revokeTokens(): void {
    this.tokens.clear();
  }

  /** A session webhook for a chat, valid for `ttlMs`. */
  issueSession(cid: string, ttlMs: number): { url: string; expiresAt: number } {
    const token = randomUUID();
    const expiresAt = Date.now() + ttlMs;
    this.sessions.set(token, { cid, expiresAt });
    return { url: `${this.baseUrl}/robot/sendBySession?session=${token}`, expiresAt };
  }

  /** What dd.getAuthCode gives the page inside the DingTalk client of `staffId`. */
  issueAuthCode(staffId: string): string {
    const code = randomUUID().replace(/-/g, '');
    this.authCodes.set(code, { staffId, expiresAt: Date.now() + 5 * 60_000, used: false });
    return code;
  }

  /** Every auth code issued so far expires. */
  expireAuthCodes(): void {
    for (const c of this.authCodes.values()) c.expiresAt = 0;
  }

  calls(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const bytes = await readBody(req);
    const raw = bytes.toString('utf8');
    const boundary = multipartBoundary(req.headers['content-type']);
    let body: Record<string, unknown> = {};
    if (boundary) {
      // multipart/form-data (media/upload): the routes see its parts.
      const parts = parseMultipart(bytes, boundary);
      if (!parts) return this.answer(res, req.method!, url.pathname, body, [400, { code: 'invalidParameter.body', message: 'malformed multipart body' }]);
      body = { parts };
    } else {
      try {
        body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      } catch {
        return this.answer(res, req.method!, url.pathname, body, [400, { code: 'invalidParameter.body', message: 'body is not JSON' }]);
      }
    }
    if (req.method === 'GET' && url.pathname.startsWith('/files/')) return this.serveFile(res, url.pathname.slice('/files/'.length));
    const scripted = this.faults.get(url.pathname)?.shift();
    const result: Answer = scripted ? [scripted.status, scripted.body] : this.route(req, url, body);
    this.answer(res, req.method!, url.pathname, body, result);
  }

  private route(req: IncomingMessage, url: URL, body: Record<string, unknown>): Answer {
    const key = `${req.method} ${url.pathname}`;
    if (key === 'POST /v1.0/gateway/connections/open') return this.gateway(body);
    if (key === 'POST /v1.0/oauth2/accessToken') return this.token(body);
    if (key === 'POST /robot/sendBySession') return this.session(url.searchParams.get('session') ?? '', body);
    // Legacy oapi: the token in the query, errors as errcode with HTTP 200.
    if (key === 'POST /topapi/v2/user/get') return this.legacyUser(url.searchParams.get('access_token') ?? '', body);
    if (key === 'POST /topapi/v2/user/getuserinfo') return this.authUserInfo(url.searchParams.get('access_token') ?? '', body);
    if (key === 'POST /media/upload') return this.mediaUpload(url.searchParams, body);
    if (key === 'GET /get_jsapi_ticket') return this.jsapiTicket(url.searchParams);
    const calendar = /^POST \/v1\.0\/calendar\/users\/([^/]+)\/querySchedule$/.exec(key);
    const token = req.headers['x-acs-dingtalk-access-token'];
    const expires = typeof token === 'string' ? this.tokens.get(token) : undefined;
    if (!expires || expires < Date.now()) return [401, { code: 'InvalidAuthentication', message: '不合法的access_token' }];
    switch (key) {
      case 'POST /v1.0/robot/oToMessages/batchSend':
        return this.batchSend(body);
      case 'POST /v1.0/robot/groupMessages/send':
        return this.groupSend(body);
      case 'POST /v1.0/card/instances/createAndDeliver':
        return this.createAndDeliver(body);
      case 'PUT /v1.0/card/instances':
        return this.updateCard(body);
      case 'POST /v1.0/robot/messageFiles/download':
        return this.messageFileDownload(body);
      case 'POST /v1.0/robot/ding/send':
        return this.ding(body);
      default:
        if (calendar) return this.querySchedule(decodeURIComponent(calendar[1]!), body);
        return [404, { code: 'NotFound', message: key }];
    }
  }

  /** 免登: the staff id of an auth code; a wrong, used or expired one is errcode 40078. */
  private authUserInfo(token: string, body: Record<string, unknown>): Answer {
    const expires = this.tokens.get(token);
    if (!expires || expires < Date.now()) return [200, { errcode: 40014, errmsg: '不合法的access_token' }];
    const entry = this.authCodes.get(String(body.code ?? ''));
    if (!entry || entry.used || entry.expiresAt < Date.now()) return [200, { errcode: 40078, errmsg: '不存在的临时授权码' }];
    entry.used = true;
    return [200, { errcode: 0, errmsg: 'ok', result: { userid: entry.staffId, unionid: `union-${entry.staffId}`, name: this.world.users.get(entry.staffId)?.nick ?? entry.staffId, sys: false, sys_level: 0 } }];
  }

  /**
   * Legacy `GET /get_jsapi_ticket?access_token=…` (type `jsapi`, optional): a new ticket each call,
   * 7200 s; the latest one is what the DingTalk client checks a page's `dd.config` signature with.
   */
  private jsapiTicket(query: URLSearchParams): Answer {
    const expires = this.tokens.get(query.get('access_token') ?? '');
    if (!expires || expires < Date.now()) return [200, { errcode: 40014, errmsg: '不合法的access_token' }];
    const type = query.get('type');
    if (type !== null && type !== 'jsapi') return [200, { errcode: 40035, errmsg: '不合法的参数 type' }];
    const ticket = `ddticket-${randomBytes(16).toString('hex')}`;
    this.jsapiTickets.push(ticket);
    return [200, { errcode: 0, errmsg: 'ok', ticket, expires_in: 7200 }];
  }

  private legacyUser(token: string, body: Record<string, unknown>): Answer {
    const expires = this.tokens.get(token);
    if (!expires || expires < Date.now()) return [200, { errcode: 40014, errmsg: '不合法的access_token' }];
    const staffId = String(body.userid ?? '');
    if (!this.world.users.has(staffId)) return [200, { errcode: 60121, errmsg: '找不到该用户' }];
    return [200, { errcode: 0, errmsg: 'ok', result: { userid: staffId, unionid: `union-${staffId}` } }];
  }

  /**
   * Legacy media upload: `?access_token=…&type=image`, multipart/form-data with the file in the part
   * `media` (filename, Content-Type). This fake takes PNG images only.
   */
  private mediaUpload(query: URLSearchParams, body: Record<string, unknown>): Answer {
    const expires = this.tokens.get(query.get('access_token') ?? '');
    if (!expires || expires < Date.now()) return [200, { errcode: 40014, errmsg: '不合法的access_token' }];
    const type = query.get('type') ?? '';
    if (!['image', 'voice', 'file'].includes(type)) return [200, { errcode: 40004, errmsg: '不合法的媒体文件类型' }];
    const media = (body.parts as FormPart[] | undefined)?.find((p) => p.name === 'media');
    if (!media?.filename) return [200, { errcode: 41005, errmsg: '缺少多媒体文件数据 (multipart part "media" with a filename)' }];
    if (type !== 'image' || media.contentType !== 'image/png' || !isPng(media.data)) return [200, { errcode: 40005, errmsg: '不合法的文件类型 (expected a PNG, Content-Type image/png)' }];
    if (media.data.length > 20 * 1024 * 1024) return [200, { errcode: 40006, errmsg: '不合法的文件大小' }];
    const mediaId = `@lA${randomBytes(18).toString('base64url')}`;
    const at = Date.now();
    this.world.media.set(mediaId, { mediaId, type, filename: media.filename, contentType: media.contentType, data: Buffer.from(media.data), at });
    return [200, { errcode: 0, errmsg: 'ok', type, media_id: mediaId, created_at: at }];
  }

  /** Busy items overlapping [startTime, endTime] for the unionId, as DingTalk's calendar answers. */
  private querySchedule(unionId: string, body: Record<string, unknown>): Answer {
    const staffId = unionId.replace(/^union-/, '');
    const from = Date.parse(String(body.startTime));
    const to = Date.parse(String(body.endTime));
    if (!Number.isFinite(from) || !Number.isFinite(to)) return [400, { code: 'invalidParameter.time', message: 'startTime/endTime' }];
    const items = (this.world.busy.get(staffId) ?? [])
      .filter((s) => s.start.getTime() < to && s.end.getTime() > from)
      .map((s) => ({ status: 'BUSY', start: { dateTime: s.start.toISOString(), timeZone: 'Asia/Shanghai' }, end: { dateTime: s.end.toISOString(), timeZone: 'Asia/Shanghai' } }));
    return [200, { scheduleInformation: [{ userId: unionId, error: '', scheduleItems: items }] }];
  }

  private gateway(body: Record<string, unknown>): Answer {
    if (body.clientId !== this.opts.clientId || body.clientSecret !== this.opts.clientSecret) return [401, { code: 'InvalidClient', message: 'bad client credentials' }];
    const subs = body.subscriptions as Array<{ type: string; topic: string }> | undefined;
    if (!Array.isArray(subs) || subs.some((s) => !['EVENT', 'CALLBACK'].includes(s.type) || (s.type === 'EVENT' && s.topic !== '*'))) {
      return [400, { code: 'invalidParameter.subscriptions', message: 'bad subscriptions' }];
    }
    const ws = this.baseUrl.replace(/^http/, 'ws');
    return [200, { endpoint: `${ws}/connect`, ticket: this.stream.issueTicket() }];
  }

  private token(body: Record<string, unknown>): Answer {
    if (body.appKey !== this.opts.clientId || body.appSecret !== this.opts.clientSecret) return [400, { code: 'invalidClientIdOrSecret', message: '无效的clientId或者clientSecret' }];
    const token = randomUUID();
    this.tokens.set(token, Date.now() + this.opts.tokenTtlSeconds * 1000);
    return [200, { accessToken: token, expireIn: this.opts.tokenTtlSeconds }];
  }

  private session(token: string, body: Record<string, unknown>): Answer {
    const session = this.sessions.get(token);
    if (!session || session.expiresAt < Date.now()) return [200, { errcode: 300001, errmsg: 'session expired' }];
    const content = messageContent(body.msgtype as string, body);
    if (!content) return [200, { errcode: 40035, errmsg: 'unsupported msgtype' }];
    this.world.post({ cid: session.cid, from: 'bot', ...content, via: 'webhook' });
    return [200, { errcode: 0, errmsg: 'ok' }];
  }

  private batchSend(body: Record<string, unknown>): Answer {
    const userIds = body.userIds as string[] | undefined;
    if (body.robotCode !== this.opts.robotCode) return [400, { code: 'invalidParameter.robotCode.notExist', message: 'robotCode' }];
    if (!Array.isArray(userIds) || userIds.length === 0) return [400, { code: 'invalidParameter.userIds.empty', message: 'userIds' }];
    if (userIds.length > 20) return [400, { code: 'invalidParameter.userIds.overMax', message: 'at most 20 userIds' }];
    const content = this.robotContent(body);
    if (!content) return [400, { code: 'invalidParameter.msgParam.invalid', message: 'msgParam' }];
    const invalidStaffIdList: string[] = [];
    const flowControlledStaffIdList: string[] = [];
    for (const id of userIds) {
      if (!this.world.users.has(id) || this.invalidStaff.has(id)) {
        invalidStaffIdList.push(id);
        continue;
      }
      const left = this.flowControlled.get(id) ?? 0;
      if (left > 0) {
        this.flowControlled.set(id, left - 1);
        flowControlledStaffIdList.push(id);
        continue;
      }
      this.world.post({ cid: this.world.dmCid(id), from: 'bot', ...content, via: 'robot-api' });
    }
    return [200, { processQueryKey: randomUUID(), invalidStaffIdList, flowControlledStaffIdList }];
  }

  private groupSend(body: Record<string, unknown>): Answer {
    if (body.robotCode !== this.opts.robotCode) return [400, { code: 'invalidParameter.robotCode.notExist', message: 'robotCode' }];
    const cid = body.openConversationId as string;
    if (!this.world.groups.has(cid)) return [400, { code: 'invalidParameter.openConversationId.invalid', message: 'robot not in group' }];
    if (Buffer.byteLength(String(body.msgParam ?? '')) > 15000) return [400, { code: 'invalidParameter.msgParam.tooLong', message: 'msgParam > 15000 bytes' }];
    const content = this.robotContent(body);
    if (!content) return [400, { code: 'invalidParameter.msgParam.invalid', message: 'msgParam' }];
    this.world.post({ cid, from: 'bot', ...content, via: 'robot-api' });
    return [200, { processQueryKey: randomUUID() }];
  }

  private createAndDeliver(body: Record<string, unknown>): Answer {
    const outTrackId = body.outTrackId as string;
    const space = /^dtv1\.card\/\/(IM_GROUP|IM_ROBOT)\.(.+)$/.exec(String(body.openSpaceId ?? ''));
    const data = (body.cardData as { cardParamMap?: Record<string, unknown> } | undefined)?.cardParamMap;
    if (!outTrackId || !body.cardTemplateId || !space || !data) return [400, { code: 'invalidParameter', message: 'outTrackId, cardTemplateId, openSpaceId and cardData are required' }];
    if (Object.values(data).some((v) => typeof v !== 'string')) return [400, { code: 'invalidParameter.cardParamMap', message: 'cardParamMap values must be strings' }];
    const [, spaceType, spaceId] = space;
    const cid = spaceType === 'IM_GROUP' ? spaceId! : this.world.dmCid(spaceId!);
    if (spaceType === 'IM_GROUP' && !this.world.groups.has(cid)) return [400, { code: 'invalidParameter.openSpaceId', message: 'unknown group' }];
    if (spaceType === 'IM_ROBOT' && !this.world.users.has(spaceId!)) return [400, { code: 'invalidParameter.openSpaceId', message: 'unknown user' }];
    // Assumption (unverified): delivering an existing outTrackId again does not show a second card.
    if (!this.world.cards.has(outTrackId)) {
      this.world.cards.set(outTrackId, { outTrackId, templateId: String(body.cardTemplateId), cid, data: data as Record<string, string>, privateData: new Map(), updates: 0 });
      this.world.post({ cid, from: 'bot', card: outTrackId, via: 'card' });
    }
    return [200, { success: true, result: { outTrackId, deliverResults: [{ spaceType, spaceId, success: true, errorMsg: '', carrierId: randomUUID() }] } }];
  }

  private updateCard(body: Record<string, unknown>): Answer {
    const outTrackId = body.outTrackId as string;
    if (!this.world.cards.has(outTrackId)) return [400, { code: 'invalidParameter.outTrackId', message: 'card not found' }];
    const options = (body.cardUpdateOptions ?? {}) as { updateCardDataByKey?: boolean };
    this.world.applyCardData(outTrackId, (body.cardData as { cardParamMap?: Record<string, string> } | undefined)?.cardParamMap, options.updateCardDataByKey === true);
    return [200, { success: true, result: true }];
  }

  /** A downloadCode of a message someone sent -> a download URL valid a few minutes; the robotCode must be ours. */
  private messageFileDownload(body: Record<string, unknown>): Answer {
    if (body.robotCode !== this.opts.robotCode) return [400, { code: 'invalidParameter.robotCode.notExist', message: 'robotCode' }];
    const downloadCode = String(body.downloadCode ?? '');
    if (!this.world.sentFiles.has(downloadCode)) return [400, { code: 'invalidParameter.downloadCode.invalid', message: 'downloadCode' }];
    const token = randomBytes(12).toString('hex');
    this.downloads.set(token, { downloadCode, expiresAt: Date.now() + 5 * 60_000 });
    return [200, { downloadUrl: `${this.baseUrl}/files/${token}` }];
  }

  /** The storage behind a download URL: the bytes, served as octet-stream like DingTalk's storage often does. */
  private serveFile(res: ServerResponse, token: string): void {
    const entry = this.downloads.get(token);
    const file = entry && entry.expiresAt > Date.now() ? this.world.sentFiles.get(entry.downloadCode) : undefined;
    this.requests.push({ method: 'GET', path: '/files/', body: {}, status: file ? 200 : 403, at: Date.now() });
    if (!file) {
      res.writeHead(403, { 'content-type': 'application/xml' }).end('<Error><Code>AccessDenied</Code></Error>');
      return;
    }
    res.writeHead(200, { 'content-type': file.contentType, 'content-length': String(file.data.length) });
    res.end(file.data);
  }

  private ding(body: Record<string, unknown>): Answer {
    const receivers = body.receiverUserIdList as string[];
    if (body.robotCode !== this.opts.robotCode || !Array.isArray(receivers) || ![1, 2, 3].includes(body.remindType as number)) {
      return [400, { code: 'invalidParameter.param.invalid', message: 'bad DING request' }];
    }
    this.dings.push({ remindType: body.remindType as number, receivers, content: String(body.content) });
    return [200, { openDingId: randomUUID() }];
  }

  /** What a robot message shows; null when msgKey/msgParam are not acceptable (an image must reference a media id we issued, or a URL). */
  private robotContent(body: Record<string, unknown>): Pick<FakeMessage, 'text' | 'markdown' | 'image'> | null {
    let param: Record<string, string>;
    try {
      param = JSON.parse(String(body.msgParam)) as Record<string, string>;
    } catch {
      return null;
    }
    if (body.msgKey === 'sampleText' && typeof param.content === 'string') return { text: param.content };
    if (body.msgKey === 'sampleMarkdown' && typeof param.text === 'string') return { markdown: { title: param.title ?? '', text: param.text } };
    if (body.msgKey === 'sampleImageMsg' && typeof param.photoURL === 'string') {
      if (/^https?:\/\//.test(param.photoURL)) return { image: { url: param.photoURL } };
      const media = this.world.media.get(param.photoURL);
      return media && media.type === 'image' ? { image: { mediaId: media.mediaId, data: media.data } } : null;
    }
    return null;
  }

  private answer(res: ServerResponse, method: string, path: string, body: Record<string, unknown>, [status, json]: Answer): void {
    this.requests.push({ method, path, body, status, at: Date.now() });
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(json));
  }
}


function messageContent(msgtype: string, body: Record<string, unknown>): { text: string } | { markdown: { title: string; text: string } } | null {
  if (msgtype === 'text') return { text: String((body.text as { content?: string } | undefined)?.content ?? '') };
  if (msgtype === 'markdown') {
    const md = body.markdown as { title?: string; text?: string } | undefined;
    return { markdown: { title: md?.title ?? '', text: md?.text ?? '' } };
  }
  return null;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
