/**
 * DingTalk (钉钉) platform: Stream mode for robot messages and card clicks (no public URL needed),
 * an optional robot HTTP callback, and the OpenAPI for sending. Inbound events are handed to the
 * sink once durably queued, and only then acknowledged.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { renderDingTalkCard, renderDingTalkNotice } from './card-render.js';
import type { Card } from '../../../cards/model.js';
import type { Config } from '../../config.js';
import { words } from '../../i18n/vocabulary.js';
import { LocaleService } from '../../services/locales.js';
import { MemoryOnceLedger, type OnceLedger } from '../../redis/once.js';
import type { Directory } from '../../services/directory.js';
import { externalIdOf, internalId } from '../../services/ids.js';
import { type BusySlot, type CardRefPort, type FetchedFile, type InboundFile, InboundFileError, type InboundSink, type JsapiSignature, type MediaPort, type OutboundContent, type OutboundTarget, type PlatformAdapter, PlatformError, type SendResult } from '../types.js';
import { contentTypeOf, dispositionName, fetchDownload, imageType, readCapped } from '../download.js';
import { type DecodedMessage, decodeCardCallback, decodeRobotMessage } from './decode.js';
import { DingTalkCalendar } from './calendar.js';
import { DingTalkApiError } from './errors.js';
import { DingTalkJsapi } from './jsapi.js';
import { OpenApiClient } from './open-api.js';
import type { CardCallback, CardCallbackResponse, RobotMessage } from './raw-types.js';
import { dingTalkRoutes } from './routes.js';
import { DingTalkSender, userWebhookKey } from './sender.js';
import { SessionWebhooks } from './session-webhooks.js';
import { DingTalkStreamClient } from './stream-client.js';

export const TOPIC_ROBOT = '/v1.0/im/bot/messages/get';
export const TOPIC_CARD = '/v1.0/card/instances/callback';
/** How long a card callback waits for the click's outcome before acking without a card update. */
const CARD_ACK_WAIT_MS = 2500;

export interface DingTalkAdapterDeps {
  config: Config;
  cardRefs: CardRefPort;
  media: MediaPort;
  directory: Directory;
  log: Logger;
  clock?: () => number;
  /** Where used callback signatures are remembered (Redis in the app; in memory without it). */
  once?: OnceLedger;
}

/** How long a DING's idempotency key is remembered (escalation jobs are retried within hours). */
const DING_ONCE_MS = 7 * 86_400_000;

export class DingTalkAdapter implements PlatformAdapter {
  readonly name = 'dingtalk' as const;
  readonly sendRatePerSecond: number;
  readonly stream: DingTalkStreamClient;
  private readonly sender: DingTalkSender;
  private readonly calendar: DingTalkCalendar;
  private readonly api: OpenApiClient;
  private readonly webhooks: SessionWebhooks;
  private jsapi: DingTalkJsapi | undefined;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly urgentOnce: OnceLedger;
  private sink: InboundSink | null = null;

  constructor(private readonly deps: DingTalkAdapterDeps) {
    const { config } = deps;
    this.log = deps.log.child({ platform: 'dingtalk' });
    this.now = deps.clock ?? Date.now;
    this.urgentOnce = deps.once ?? new MemoryOnceLedger(this.now);
    this.sendRatePerSecond = config.DINGTALK_SEND_RATE;
    const credentials = { clientId: config.DINGTALK_CLIENT_ID!, clientSecret: config.DINGTALK_CLIENT_SECRET! };
    const api = (this.api = new OpenApiClient({ baseUrl: config.DINGTALK_API_BASE, legacyBaseUrl: config.DINGTALK_OAPI_BASE, ...credentials, qpsBackoffMs: config.DINGTALK_QPS_BACKOFF_MS, clock: this.now }));
    this.webhooks = new SessionWebhooks(config.DINGTALK_SESSION_WEBHOOK_HOSTS, this.now);
    this.calendar = new DingTalkCalendar(api);
    this.sender = new DingTalkSender(api, this.webhooks, deps.directory, {
      robotCode: config.DINGTALK_ROBOT_CODE!,
      cardTemplateId: config.DINGTALK_CARD_TEMPLATE_ID!,
      dingRemindType: config.DINGTALK_DING_REMIND_TYPE as 1 | 2 | 3,
      qpsBackoffMs: config.DINGTALK_QPS_BACKOFF_MS,
      log: this.log,
      media: deps.media,
      translatorFor: (place) => {
        const locales = new LocaleService(deps.directory, config);
        return place.kind === 'group' ? locales.forConversation(internalId('dingtalk', place.cid)) : locales.forUser(internalId('dingtalk', place.staffId));
      },
    });
    this.stream = new DingTalkStreamClient({
      ...credentials,
      apiBase: config.DINGTALK_API_BASE,
      reconnectBaseMs: config.DINGTALK_RECONNECT_BASE_MS,
      reconnectMaxMs: config.DINGTALK_RECONNECT_MAX_MS,
      log: this.log,
    });
    this.stream.onCallbackTopic(TOPIC_ROBOT, async (data) => {
      await this.acceptRobotMessage(data as RobotMessage);
      return null;
    });
    this.stream.onCallbackTopic(TOPIC_CARD, (data, frame) => this.acceptCardCallback(data as CardCallback, frame.headers.messageId));
  }

  async routes(app: FastifyInstance): Promise<void> {
    const secret = this.deps.config.DINGTALK_HTTP_CALLBACK_SECRET;
    if (!secret) return;
    await app.register(dingTalkRoutes, {
      secret,
      maxAgeMs: this.deps.config.DINGTALK_HTTP_CALLBACK_MAX_AGE_SECONDS * 1000,
      now: this.now,
      once: this.deps.once ?? new MemoryOnceLedger(this.now),
      accept: (msg: RobotMessage) => this.acceptRobotMessage(msg),
    });
  }

  async start(sink: InboundSink): Promise<void> {
    this.sink = sink;
    this.stream.start();
  }

  async stop(): Promise<void> {
    this.stream.stop();
    this.sink = null;
  }

  send(target: OutboundTarget, content: OutboundContent): Promise<SendResult> {
    return this.sender.send(target, content);
  }

  updateCard(card: Card, target: OutboundTarget, platformRef: string | null): Promise<SendResult> {
    return this.sender.updateCard(card, target, platformRef);
  }

  /** Busy times from the person's DingTalk calendar (needs the calendar-read permission). */
  freeBusy(userId: string, from: Date, to: Date): Promise<BusySlot[]> {
    return this.calendar.busy(externalIdOf(userId), from, to);
  }

  /**
   * H5 micro-app 免登: the staff id an `authCode` from the page's `dd.getAuthCode` stands for
   * (`POST oapi/topapi/v2/user/getuserinfo`). Codes are single-use and live 5 minutes; DingTalk
   * answers a wrong, used or expired one with an errcode (40078): null.
   * https://open.dingtalk.com/document/orgapp/obtain-the-userid-of-a-user-by-using-the-log-free
   */
  async userIdFromAuthCode(code: string): Promise<string | null> {
    try {
      const answer = await this.api.legacyCall<{ result?: { userid?: string } }>('/topapi/v2/user/getuserinfo', { code });
      return answer.result?.userid ?? null;
    } catch (error) {
      if (error instanceof DingTalkApiError && error.kind === 'invalid') {
        this.log.warn({ code: error.code }, 'DingTalk sign-in code refused');
        return null;
      }
      throw error;
    }
  }

  /**
   * The `dd.config` signature for our scanner page (`biz.util.scan`), from the app's jsapi_ticket;
   * needs DINGTALK_AGENT_ID and DINGTALK_CORP_ID (the page passes them to `dd.config`). DingTalk
   * has one ticket per app: `kind` is always the corp config.
   */
  async jsapiSignature(kind: 'corp' | 'agent', url: string, fresh = false): Promise<JsapiSignature> {
    if (kind !== 'corp' || !this.deps.config.DINGTALK_AGENT_ID || !this.deps.config.DINGTALK_CORP_ID) {
      throw new PlatformError('DingTalk JSAPI is not configured (DINGTALK_AGENT_ID, DINGTALK_CORP_ID)', 'give-up');
    }
    this.jsapi ??= new DingTalkJsapi(this.api, this.now);
    return this.jsapi.signature(url, fresh);
  }

  /**
   * The bytes of a picture or file someone sent: `POST /v1.0/robot/messageFiles/download`
   * `{robotCode, downloadCode}` answers a short-lived `downloadUrl`, which serves the file.
   * A downloadCode DingTalk refuses is `unknown` (forged, or too old).
   */
  async fetchInboundFile(file: InboundFile, maxBytes: number): Promise<FetchedFile> {
    const downloadCode = parseDownloadCode(file.remote);
    if (!downloadCode) throw new InboundFileError('unknown', 'not a DingTalk file reference');
    let downloadUrl: string | undefined;
    try {
      ({ downloadUrl } = await this.api.call<{ downloadUrl?: string }>('POST', '/v1.0/robot/messageFiles/download', { robotCode: this.deps.config.DINGTALK_ROBOT_CODE, downloadCode }));
    } catch (error) {
      if (error instanceof DingTalkApiError && error.kind === 'invalid') throw new InboundFileError('unknown', error.message);
      if (error instanceof DingTalkApiError && error.kind === 'permission') this.log.error({ err: error }, 'DingTalk refuses file downloads: grant the robot file permission (docs/dingtalk.md)');
      throw new InboundFileError('unavailable', (error as Error).message);
    }
    if (!downloadUrl || !/^https?:\/\//.test(downloadUrl)) throw new InboundFileError('unknown', 'DingTalk answered no downloadUrl');
    const res = await fetchDownload(downloadUrl, 'DingTalk file download', 60_000);
    const data = await readCapped(res, maxBytes, 'DingTalk file download');
    const served = contentTypeOf(res);
    // Storage often serves octet-stream: an image is recognised by its bytes.
    const mime = file.kind === 'image' && !served.startsWith('image/') ? (imageType(data) ?? served) : served;
    const name = dispositionName(res.headers.get('content-disposition'));
    return { data, mime, ...(name && file.kind === 'image' ? { name } : {}) };
  }

  /** DING by the robot (in-app, SMS or call per DINGTALK_DING_REMIND_TYPE); needs the DING permission. */
  async sendUrgent(userIds: readonly string[], text: string, idempotencyKey: string): Promise<void> {
    // DING has no idempotency key; a claim in Redis (shared by every instance) keeps a retried
    // escalation single, on whichever instance the retry runs. A failed DING gives the claim back.
    if (!(await this.urgentOnce.claim(`ding:${idempotencyKey}`, DING_ONCE_MS))) return;
    try {
      await this.sender.ding(userIds.map(externalIdOf), text);
    } catch (error) {
      await this.urgentOnce.release(`ding:${idempotencyKey}`);
      throw error;
    }
  }

  // ---- inbound --------------------------------------------------------------

  /** Stream and HTTP callback both land here. Resolves once the event is durably queued. */
  async acceptRobotMessage(msg: RobotMessage): Promise<void> {
    const sink = this.requireSink();
    const decoded = decodeRobotMessage(msg, words('common.botNames')[0]!, new Date(this.now()));
    if (!decoded) {
      this.log.debug({ msgId: msg.msgId, msgtype: msg.msgtype }, 'DingTalk message ignored (not text)');
      return;
    }
    const event = decoded.event;
    if (decoded.webhook) {
      this.webhooks.remember(event.conversationId, decoded.webhook.url, decoded.webhook.expiresAt);
      if (decoded.conversation.type === 'direct') this.webhooks.remember(userWebhookKey(event.userId), decoded.webhook.url, decoded.webhook.expiresAt);
    }
    event.mentions = await this.learn(decoded);
    await sink.accept(event);
  }

  /** Waits briefly for the click's outcome so the ACK itself updates the card; a PUT follows anyway. */
  private async acceptCardCallback(cb: CardCallback, messageId: string): Promise<CardCallbackResponse | null> {
    const sink = this.requireSink();
    const event = decodeCardCallback(cb, messageId, new Date(this.now()));
    if (!event) {
      this.log.warn({ outTrackId: cb.outTrackId }, 'DingTalk card callback without an action ignored');
      return null;
    }
    await this.knowUser(externalIdOf(event.userId));
    let notice = '';
    try {
      const outcome = await sink.acceptAndWait(event, CARD_ACK_WAIT_MS);
      notice = outcome.accepted ? outcome.message ?? '' : outcome.reason;
    } catch (error) {
      // Queued but not finished in time: the card-update job will refresh the card.
      this.log.debug({ err: error, cardId: event.cardId }, 'DingTalk card action still running at ACK time');
      return null;
    }
    const row = await this.deps.cardRefs.get(event.cardId);
    return {
      ...(row ? { cardData: { cardParamMap: renderDingTalkCard(row.model) } } : {}),
      userPrivateData: { cardParamMap: renderDingTalkNotice(notice) },
      cardUpdateOptions: { updateCardDataByKey: true, updatePrivateDataByKey: true },
    };
  }

  /** Records the sender, the chat and the people mentioned; returns the mentions with their names. */
  private async learn(decoded: DecodedMessage) {
    const { directory } = this.deps;
    const { sender, conversation, event } = decoded;
    const existingSender = await directory.user(event.userId);
    await directory.upsertUser({
      platform: 'dingtalk',
      externalId: sender.staffId,
      name: sender.nick,
      roles: existingSender?.roles ?? [],
      department: existingSender?.department ?? null,
    });
    const mentions = [];
    for (const m of decoded.mentioned) {
      const id = internalId('dingtalk', m.staffId);
      const known = await directory.user(id);
      const name = known?.name ?? m.nameInText ?? m.staffId;
      if (!known) await directory.upsertUser({ platform: 'dingtalk', externalId: m.staffId, name, roles: [], department: null });
      mentions.push({ userId: id, name });
    }
    const existing = await directory.conversation(event.conversationId);
    const members = new Set([...(existing?.memberIds ?? []), event.userId, ...(conversation.type === 'group' ? mentions.map((m) => m.userId) : [])]);
    await directory.upsertConversation({
      platform: 'dingtalk',
      externalId: conversation.externalId,
      name: conversation.type === 'group' ? conversation.name : existing?.name ?? conversation.name,
      type: conversation.type,
      memberIds: [...members],
    });
    return mentions;
  }

  /** A clicker we have never seen gets a minimal record (DingTalk's callback carries no name). */
  private async knowUser(staffId: string): Promise<void> {
    const id = internalId('dingtalk', staffId);
    if (await this.deps.directory.user(id)) return;
    await this.deps.directory.upsertUser({ platform: 'dingtalk', externalId: staffId, name: staffId, roles: [], department: null });
  }

  private requireSink(): InboundSink {
    if (!this.sink) throw new Error('DingTalk adapter is not started');
    return this.sink;
  }
}

function parseDownloadCode(remote: string | undefined): string | null {
  try {
    const r = JSON.parse(remote ?? '') as { downloadCode?: unknown };
    return typeof r.downloadCode === 'string' && r.downloadCode ? r.downloadCode : null;
  } catch {
    return null;
  }
}
