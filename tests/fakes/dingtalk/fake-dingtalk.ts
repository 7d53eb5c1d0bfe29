/**
 * One fake DingTalk on a random 127.0.0.1 port: OpenAPI + gateway + session webhooks over HTTP and
 * the stream server on `/connect`. Also plays the users: `say` pushes a robot message the way
 * DingTalk builds it, `click` pushes a card callback and applies the ACK's card update.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeOpenApi } from './open-api.js';
import { type Ack, FakeStreamServer } from './stream-server.js';
import { BOT, FakeWorld } from './world.js';

export const FAKE_APP = { clientId: 'dingfakeclientid', clientSecret: 'fake-client-secret', robotCode: 'dingfakeclientid', templateId: 'huiwu-card.schema' };
const TOPIC_ROBOT = '/v1.0/im/bot/messages/get';
const TOPIC_CARD = '/v1.0/card/instances/callback';

export interface SayOptions {
  /** How long the session webhook handed out with this message stays valid (DingTalk: ~90 min). */
  sessionTtlMs?: number;
  /** Push with this stream messageId / robot msgId (to replay a delivery). */
  messageId?: string;
  msgId?: string;
  /** A group message that does not @ the robot (isInAtList false), as a robot receiving all group messages gets it. */
  notAtBot?: boolean;
  /** sendFile: announce this downloadCode without storing a file under it (a forged or unknown code). */
  downloadCode?: string;
}

export class FakeDingTalk {
  readonly world = new FakeWorld();
  readonly stream = new FakeStreamServer(FAKE_APP.clientId);
  readonly api: FakeOpenApi;
  private server: Server | null = null;
  baseUrl = '';
  sessionTtlMs = 90 * 60_000;
  private readonly waiters = new Set<() => void>();

  constructor(opts: { tokenTtlSeconds?: number } = {}) {
    this.api = new FakeOpenApi(this.world, this.stream, { ...FAKE_APP, tokenTtlSeconds: opts.tokenTtlSeconds ?? 7200 });
    this.world.onChange = () => {
      for (const w of [...this.waiters]) w();
    };
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.api.handle(req, res));
    this.server.on('upgrade', (req, socket, head) => {
      if ((req.url ?? '').startsWith('/connect')) this.stream.handleUpgrade(req, socket, head);
      else socket.destroy();
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.api.baseUrl = this.baseUrl;
    return this;
  }

  /** App configuration pointing at this fake. */
  env(): Record<string, string> {
    return {
      HUIWU_SIMULATOR: 'off',
      // Required once a real platform is configured; test-only values.
      HUIWU_PII_KEY: '0'.repeat(64),
      HUIWU_ADMIN_TOKEN: 'dingtalk-test-admin-token',
      DINGTALK_CLIENT_ID: FAKE_APP.clientId,
      DINGTALK_CLIENT_SECRET: FAKE_APP.clientSecret,
      DINGTALK_ROBOT_CODE: FAKE_APP.robotCode,
      DINGTALK_CARD_TEMPLATE_ID: FAKE_APP.templateId,
      DINGTALK_API_BASE: this.baseUrl,
      DINGTALK_OAPI_BASE: this.baseUrl,
      DINGTALK_SESSION_WEBHOOK_HOSTS: '127.0.0.1',
      DINGTALK_RECONNECT_BASE_MS: '50',
      DINGTALK_RECONNECT_MAX_MS: '400',
      DINGTALK_QPS_BACKOFF_MS: '200',
    };
  }

  /** A person writes in a chat: DingTalk strips the robot's @mention and lists @-mentioned people. */
  say(cid: string, staffId: string, text: string, opts: SayOptions = {}): { msgId: string; messageId: string; acked: Promise<Ack> } {
    const user = this.world.users.get(staffId);
    if (!user) throw new Error(`unknown user ${staffId}`);
    const group = this.world.groups.get(cid);
    if (!group && this.world.dmOwner(cid) !== staffId) throw new Error(`${staffId} cannot write in ${cid}`);
    const mentioned = [...this.world.users.values()].filter((u) => text.includes(`@${u.nick}`));
    const atBot = group !== undefined && !opts.notAtBot;
    const content = atBot ? text.split(`@${BOT.nick}`).join('') : text;
    const session = this.api.issueSession(cid, opts.sessionTtlMs ?? this.sessionTtlMs);
    const msgId = opts.msgId ?? `msg${randomUUID().replace(/-/g, '')}`;
    const messageId = opts.messageId ?? `${randomUUID().slice(0, 8)}_${Date.now().toString(16)}`;
    this.world.post({ cid, from: staffId, text, via: 'user' });
    const createAt = Date.now();
    const acked = this.stream.push(
      'CALLBACK',
      TOPIC_ROBOT,
      {
        conversationId: cid,
        atUsers: [...(atBot ? [{ dingtalkId: BOT.dingtalkId }] : []), ...mentioned.map((u) => ({ dingtalkId: u.dingtalkId, staffId: u.staffId }))],
        chatbotCorpId: 'dingcorp',
        chatbotUserId: BOT.dingtalkId,
        msgId,
        senderNick: user.nick,
        isAdmin: false,
        senderStaffId: staffId,
        sessionWebhookExpiredTime: session.expiresAt,
        createAt,
        senderCorpId: 'dingcorp',
        conversationType: group ? '2' : '1',
        senderId: user.dingtalkId,
        ...(group ? { conversationTitle: group.title, isInAtList: atBot } : {}),
        sessionWebhook: session.url,
        text: { content: ` ${content.trim()}` },
        robotCode: FAKE_APP.robotCode,
        msgtype: 'text',
      },
      messageId,
    );
    return { msgId, messageId, acked };
  }

  /**
   * A person sends a picture or a file (no text, no caption): DingTalk keeps the bytes and the robot
   * message carries a `downloadCode` (file: and its `fileName`). Returns the code.
   */
  sendFile(cid: string, staffId: string, f: { kind: 'picture' | 'file'; data: Buffer; contentType: string; fileName?: string }, opts: SayOptions = {}): { downloadCode: string; acked: Promise<Ack> } {
    const downloadCode = opts.downloadCode ?? `dc${randomUUID().replace(/-/g, '')}`;
    if (!opts.downloadCode) this.world.sentFiles.set(downloadCode, { data: f.data, contentType: f.contentType, fileName: f.fileName ?? 'file' });
    const content = f.kind === 'picture' ? { downloadCode, pictureDownloadCode: `p${downloadCode}` } : { downloadCode, fileName: f.fileName ?? 'file', spaceId: '1', fileId: '2' };
    const { acked } = this.push(cid, staffId, { msgtype: f.kind, content }, opts);
    return { downloadCode, acked };
  }

  /** A robot message of any kind from a person, the way DingTalk frames it. */
  private push(cid: string, staffId: string, body: Record<string, unknown>, opts: SayOptions): { msgId: string; messageId: string; acked: Promise<Ack> } {
    const user = this.world.users.get(staffId);
    if (!user) throw new Error(`unknown user ${staffId}`);
    const group = this.world.groups.get(cid);
    const session = this.api.issueSession(cid, opts.sessionTtlMs ?? this.sessionTtlMs);
    const msgId = opts.msgId ?? `msg${randomUUID().replace(/-/g, '')}`;
    const messageId = opts.messageId ?? `${randomUUID().slice(0, 8)}_${Date.now().toString(16)}`;
    const acked = this.stream.push(
      'CALLBACK',
      TOPIC_ROBOT,
      {
        conversationId: cid,
        atUsers: group ? [{ dingtalkId: BOT.dingtalkId }] : [],
        chatbotCorpId: 'dingcorp',
        chatbotUserId: BOT.dingtalkId,
        msgId,
        senderNick: user.nick,
        isAdmin: false,
        senderStaffId: staffId,
        sessionWebhookExpiredTime: session.expiresAt,
        createAt: Date.now(),
        senderCorpId: 'dingcorp',
        conversationType: group ? '2' : '1',
        senderId: user.dingtalkId,
        ...(group ? { conversationTitle: group.title, isInAtList: true } : {}),
        sessionWebhook: session.url,
        robotCode: FAKE_APP.robotCode,
        ...body,
      },
      messageId,
    );
    return { msgId, messageId, acked };
  }

  /** A person presses a card button: the callback goes over the stream; the ACK may update the card. */
  async click(outTrackId: string, staffId: string, action: string, messageId?: string): Promise<Ack> {
    const card = this.world.cards.get(outTrackId);
    if (!card) throw new Error(`unknown card ${outTrackId}`);
    const group = this.world.groups.has(card.cid);
    const ack = await this.stream.push(
      'CALLBACK',
      TOPIC_CARD,
      {
        type: 'actionCallback',
        outTrackId,
        userId: staffId,
        userIdType: 1,
        corpId: 'dingcorp',
        spaceType: group ? 'IM_GROUP' : 'IM_ROBOT',
        spaceId: group ? card.cid : staffId,
        content: JSON.stringify({ cardPrivateData: { actionIds: ['button'], params: { action } } }),
        extension: '{}',
      },
      messageId,
    );
    this.applyCallbackAck(outTrackId, staffId, ack);
    return ack;
  }

  /** Resolves when `check` holds, re-checking after every change and every 25 ms (for state outside the world). */
  async waitFor<T>(check: () => T | undefined | null | false, timeoutMs = 10_000, what = 'condition'): Promise<T> {
    const first = check();
    if (first) return first;
    return new Promise<T>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        clearInterval(poll);
        this.waiters.delete(waiter);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      const waiter = () => {
        const value = check();
        if (!value) return;
        done();
        resolve(value);
      };
      const poll = setInterval(waiter, 25);
      this.waiters.add(waiter);
    });
  }

  async close(): Promise<void> {
    this.stream.close();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections();
  }

  private applyCallbackAck(outTrackId: string, staffId: string, ack: Ack): void {
    if (ack.code !== 200 || !ack.data) return;
    const response = (JSON.parse(ack.data) as { response?: Record<string, unknown> | null }).response;
    if (!response) return;
    const options = (response.cardUpdateOptions ?? {}) as { updateCardDataByKey?: boolean; updatePrivateDataByKey?: boolean };
    this.world.applyCardData(outTrackId, (response.cardData as { cardParamMap?: Record<string, string> } | undefined)?.cardParamMap, options.updateCardDataByKey === true);
    this.world.applyPrivateData(outTrackId, staffId, (response.userPrivateData as { cardParamMap?: Record<string, string> } | undefined)?.cardParamMap, options.updatePrivateDataByKey === true);
  }
}
