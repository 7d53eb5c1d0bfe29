/**
 * Outbound DingTalk: replies through the message's sessionWebhook while it is valid, otherwise the
 * robot APIs (one-to-one batchSend in batches of at most 20, group send); interactive cards through
 * createAndDeliver and PUT card/instances; DING for urgent escalations. DingTalk errors become
 * PlatformErrors the outbound queue understands (`send-failures.ts`); quota and permission failures
 * are also logged as errors and told to the people concerned through a session webhook (which needs no quota).
 * https://open.dingtalk.com/document/orgapp/chatbots-send-one-on-one-chat-messages-in-batches
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { renderDingTalkCard, renderDingTalkMarkdown } from './card-render.js';
import type { Card } from '../../../cards/model.js';
import type { Directory } from '../../services/directory.js';
import { externalIdOf } from '../../services/ids.js';
import type { Translator } from '../../i18n/translator.js';
import { words } from '../../i18n/vocabulary.js';
import type { MediaStore } from '../../services/media.js';
import { MediaIdCache, mediaFilename } from '../media-cache.js';
import type { OutboundContent, OutboundTarget, SendResult } from '../types.js';
import { outTrackIdOf } from './decode.js';
import { DingTalkApiError } from './errors.js';
import type { OpenApiClient } from './open-api.js';
import type { BatchSendResult, CreateAndDeliverResult } from './raw-types.js';
import { type Place, SendFailures } from './send-failures.js';
import { postSessionWebhook, type SessionWebhooks } from './session-webhooks.js';

export interface SenderOptions {
  robotCode: string;
  cardTemplateId: string;
  dingRemindType: 1 | 2 | 3;
  qpsBackoffMs: number;
  log: Logger;
  /** Where image contents' bytes are read; without it images are sent as their alt text. */
  media?: Pick<MediaStore, 'get'>;
  /** The language of notices about failed sends, for a chat (its group setting or its person's). */
  translatorFor: (place: Place) => Promise<Translator>;
}

type ImageContent = Extract<OutboundContent, { type: 'image' }>;

const BATCH_SIZE = 20;
/** Rounds of batchSend for users DingTalk reports as flow-controlled, before the job retries. */
const FLOW_CONTROL_ROUNDS = 3;
/** Markdown-fallback cards cannot be updated: their platformRef says so. */
const MARKDOWN_REF = 'md:';
/** How long an uploaded image's media id is reused (DingTalk does not document its lifetime; WeCom's is 3 days). */
const MEDIA_TTL_MS = 60 * 3600_000;

export class DingTalkSender {
  private readonly mediaIds = new MediaIdCache(MEDIA_TTL_MS);
  private readonly failures: SendFailures;

  constructor(
    private readonly api: OpenApiClient,
    private readonly webhooks: SessionWebhooks,
    private readonly directory: Directory,
    private readonly opts: SenderOptions,
  ) {
    this.failures = new SendFailures(api, webhooks, opts);
  }

  async send(target: OutboundTarget, content: OutboundContent): Promise<SendResult> {
    const place = await this.place(target);
    try {
      if (content.type === 'card') return await this.sendCard(place, content.card);
      if (content.type === 'image') return await this.sendImage(place, content);
      const markdown = content.type === 'markdown' ? { title: firstLine(content.markdown), text: content.markdown } : null;
      await this.sendMessage(place, content.type === 'text' ? content.text : '', markdown);
      return {};
    } catch (error) {
      throw await this.failures.toPlatformError(error, place);
    }
  }

  async updateCard(card: Card, target: OutboundTarget, platformRef: string | null): Promise<SendResult> {
    if (platformRef?.startsWith(MARKDOWN_REF)) return {};
    try {
      const res = await this.api.call<{ success?: boolean; result?: boolean }>('PUT', '/v1.0/card/instances', {
        outTrackId: platformRef ?? outTrackIdOf(card.id),
        cardData: { cardParamMap: renderDingTalkCard(card) },
        cardUpdateOptions: { updateCardDataByKey: true },
      });
      if (res.success === false) throw new DingTalkApiError('transient', 200, '', 'DingTalk card update answered success=false');
      return {};
    } catch (error) {
      throw await this.failures.toPlatformError(error, await this.place(target));
    }
  }

  /**
   * One-to-one robot messages to many users: batches of 20; users DingTalk flow-controls are sent
   * again after a pause. Returns who is invalid (permanent) and who is still pending.
   */
  async sendToUsers(staffIds: readonly string[], msgKey: string, msgParam: Record<string, string>): Promise<{ invalid: string[]; pending: string[]; lastError?: DingTalkApiError }> {
    let todo = [...new Set(staffIds)];
    const invalid: string[] = [];
    let lastError: DingTalkApiError | undefined;
    for (let round = 0; round < FLOW_CONTROL_ROUNDS && todo.length > 0; round++) {
      if (round > 0) await sleep(Math.max(this.api.pauseLeftMs(), this.opts.qpsBackoffMs * (1 + Math.random())));
      const next: string[] = [];
      for (let i = 0; i < todo.length; i += BATCH_SIZE) {
        const chunk = todo.slice(i, i + BATCH_SIZE);
        try {
          const res = await this.api.call<BatchSendResult>('POST', '/v1.0/robot/oToMessages/batchSend', {
            robotCode: this.opts.robotCode,
            userIds: chunk,
            msgKey,
            msgParam: JSON.stringify(msgParam),
          });
          invalid.push(...(res.invalidStaffIdList ?? []).filter((id) => chunk.includes(id)));
          next.push(...(res.flowControlledStaffIdList ?? []).filter((id) => chunk.includes(id)));
        } catch (error) {
          // Throttled or unreachable: this batch waits for the next round; anything else stops here.
          if (!(error instanceof DingTalkApiError) || !['qps', 'rate', 'transient'].includes(error.kind)) throw error;
          lastError = error;
          next.push(...chunk);
        }
      }
      todo = next;
    }
    if (todo.length > 0) this.opts.log.warn({ pending: todo }, 'DingTalk batchSend: users still flow-controlled');
    return { invalid, pending: todo, ...(lastError ? { lastError } : {}) };
  }

  /** DING (in-app, SMS or call, as configured) through the robot; permission depends on the plan. */
  async ding(staffIds: readonly string[], text: string): Promise<void> {
    const size = this.opts.dingRemindType === 1 ? 200 : 20;
    for (let i = 0; i < staffIds.length; i += size) {
      try {
        const res = await this.api.call<{ openDingId?: string; failedList?: Record<string, string[]> }>('POST', '/v1.0/robot/ding/send', {
          robotCode: this.opts.robotCode,
          remindType: this.opts.dingRemindType,
          receiverUserIdList: staffIds.slice(i, i + size),
          content: text,
        });
        if (res.failedList && Object.keys(res.failedList).length > 0) this.opts.log.warn({ failedList: res.failedList }, 'DingTalk DING: some receivers failed');
      } catch (error) {
        throw await this.failures.toPlatformError(error, null);
      }
    }
  }

  // ---- helpers --------------------------------------------------------------

  private async sendMessage(place: Place, text: string, markdown: { title: string; text: string } | null): Promise<void> {
    const hook = place.webhookKeys.map((key) => ({ key, hook: this.webhooks.valid(key) })).find((h) => h.hook);
    if (hook?.hook) {
      const body = markdown ? { msgtype: 'markdown', markdown } : { msgtype: 'text', text: { content: text } };
      if (await postSessionWebhook(hook.hook.url, this.opts.log, body)) return;
      this.webhooks.forget(hook.key);
    }
    const [msgKey, msgParam] = markdown ? ['sampleMarkdown', markdown] : ['sampleText', { content: text }];
    await this.sendRobot(place, msgKey, msgParam);
  }

  /** A robot message through the OpenAPI (groupMessages/send or oToMessages/batchSend). */
  private async sendRobot(place: Place, msgKey: string, msgParam: Record<string, string>): Promise<void> {
    if (place.kind === 'group') {
      await this.api.call('POST', '/v1.0/robot/groupMessages/send', {
        robotCode: this.opts.robotCode,
        openConversationId: place.cid,
        msgKey,
        msgParam: JSON.stringify(msgParam),
      });
      return;
    }
    const result = await this.sendToUsers([place.staffId], msgKey, msgParam);
    if (result.invalid.length > 0) throw new DingTalkApiError('invalid', 200, 'invalidStaffId', `DingTalk does not know user ${place.staffId} (invalidStaffIdList)`);
    if (result.pending.length > 0) {
      throw result.lastError ?? new DingTalkApiError('rate', 200, 'flowControlled', `DingTalk flow-controlled user ${place.staffId}; will retry`);
    }
  }

  /**
   * An image: uploaded once per Media row (legacy `media/upload`, the media id cached), then
   * `sampleImageMsg` with the media id as `photoURL` through the robot APIs (session webhooks cannot
   * carry it). An upload refused for good (or a missing Media row) sends the alt text instead, with a
   * warning; transient failures retry the job. A cached media id DingTalk refuses is uploaded again once.
   */
  private async sendImage(place: Place, content: ImageContent): Promise<SendResult> {
    const store = this.opts.media;
    const upload = async () => {
      const png = await store?.get(content.mediaId);
      if (!png) throw new DingTalkApiError('invalid', 0, 'media.missing', `Media ${content.mediaId} not found`);
      return this.api.uploadMedia('image', png.data, mediaFilename(content.mediaId, png.mime), png.mime);
    };
    for (let attempt = 0; ; attempt++) {
      let media: { mediaId: string; fresh: boolean };
      try {
        media = await this.mediaIds.get(content.mediaId, upload);
      } catch (error) {
        if (!(error instanceof DingTalkApiError) || (error.kind !== 'invalid' && error.kind !== 'permission')) throw error;
        this.opts.log.warn({ err: error, code: error.code, mediaId: content.mediaId }, 'DingTalk image upload failed for good; sending its alt text instead');
        await this.sendMessage(place, content.alt, null);
        return {};
      }
      try {
        await this.sendRobot(place, 'sampleImageMsg', { photoURL: media.mediaId });
        return {};
      } catch (error) {
        const mediaRefused = error instanceof DingTalkApiError && error.kind === 'invalid' && /msgParam|media/i.test(error.code);
        if (!mediaRefused || media.fresh || attempt > 0) throw error;
        this.opts.log.info({ mediaId: content.mediaId, code: error.code }, 'DingTalk refused a cached media id; uploading again');
        this.mediaIds.forget(content.mediaId);
      }
    }
  }

  private async sendCard(place: Place, card: Card): Promise<SendResult> {
    const outTrackId = outTrackIdOf(card.id);
    const space =
      place.kind === 'group'
        ? {
            openSpaceId: `dtv1.card//IM_GROUP.${place.cid}`,
            imGroupOpenSpaceModel: { supportForward: true },
            imGroupOpenDeliverModel: { robotCode: this.opts.robotCode },
          }
        : {
            openSpaceId: `dtv1.card//IM_ROBOT.${place.staffId}`,
            imRobotOpenSpaceModel: { supportForward: true },
            imRobotOpenDeliverModel: { spaceType: 'IM_ROBOT', robotCode: this.opts.robotCode },
          };
    try {
      const res = await this.api.call<CreateAndDeliverResult>('POST', '/v1.0/card/instances/createAndDeliver', {
        cardTemplateId: this.opts.cardTemplateId,
        outTrackId,
        callbackType: 'STREAM',
        cardData: { cardParamMap: renderDingTalkCard(card) },
        userIdType: 1,
        ...space,
      });
      const failed = (res.result?.deliverResults ?? []).filter((r) => r.success === false);
      if (res.success === false || failed.length > 0) {
        throw new DingTalkApiError('transient', 200, 'deliver.failed', `DingTalk card not delivered: ${failed.map((f) => f.errorMsg).join('; ') || 'success=false'}`);
      }
      return { platformRef: outTrackId };
    } catch (error) {
      // Without card permission (or template) the card still arrives, as markdown with its text commands.
      if (!(error instanceof DingTalkApiError) || error.kind !== 'permission') throw error;
      this.opts.log.error({ code: error.code, cardId: card.id }, `DingTalk refused the interactive card (${error.message}); sent it as markdown. Grant the card permissions (docs/dingtalk.md).`);
      await this.sendMessage(place, '', renderDingTalkMarkdown(card));
      return { platformRef: `${MARKDOWN_REF}${outTrackId}` };
    }
  }

  private async place(target: OutboundTarget): Promise<Place> {
    if (target.kind === 'user') {
      return { kind: 'user', staffId: externalIdOf(target.userId), webhookKeys: [userWebhookKey(target.userId)] };
    }
    const conversation = await this.directory.conversation(target.conversationId);
    if (conversation?.type === 'direct' && conversation.memberIds[0]) {
      return { kind: 'user', staffId: externalIdOf(conversation.memberIds[0]), webhookKeys: [conversation.id, userWebhookKey(conversation.memberIds[0])] };
    }
    return { kind: 'group', cid: externalIdOf(target.conversationId), webhookKeys: [target.conversationId] };
  }
}

/** Session-webhook key of a user's one-to-one chat with the robot. */
export function userWebhookKey(userId: string): string {
  return `user:${userId}`;
}

function firstLine(markdown: string): string {
  const botName = words('common.botNames')[0]!;
  const line = markdown.split('\n').find((l) => l.trim() !== '') ?? botName;
  return [...line.replace(/^[#>*\s]+/, '')].slice(0, 60).join('') || botName;
}
