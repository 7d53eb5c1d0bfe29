/**
 * Raw DingTalk payloads -> our normalized events (pure functions). Ids become internal ids
 * (`dingtalk:<staffId>`, `dingtalk:<openConversationId>`); the robot `msgId` and the stream
 * `messageId` of a card callback become the durable de-duplication keys.
 */
import { DINGTALK_ACTION_PARAM } from './card-render.js';
import { internalId } from '../../services/ids.js';
import type { CardActionEvent, InboundFile, MessageEvent } from '../types.js';
import type { CardCallback, CardPrivateData, RobotMessage } from './raw-types.js';

export interface DecodedMessage {
  event: MessageEvent;
  sender: { staffId: string; nick: string };
  conversation: { externalId: string; type: 'group' | 'direct'; name: string };
  /** Other people @-mentioned, in order, with the `@name` typed in the text when it can be paired. */
  mentioned: Array<{ staffId: string; nameInText?: string }>;
  webhook?: { url: string; expiresAt: number };
}

/** What the robot message says, or null for kinds we do not read (pictures, files). */
export function messageText(msg: RobotMessage): string | null {
  if (msg.msgtype === 'text') return msg.text?.content ?? '';
  const content = (msg.content ?? {}) as { richText?: Array<{ text?: string }>; recognition?: string };
  if (msg.msgtype === 'richText') return (content.richText ?? []).map((part) => part.text ?? '').join('');
  // Voice messages carry DingTalk's own speech recognition.
  if (msg.msgtype === 'audio' && content.recognition) return content.recognition;
  return null;
}

/**
 * The file or image a robot message carries: `picture` and `file` have `content.downloadCode`
 * (file: `content.fileName`), `richText` may hold pictures (the first is kept). The bytes are
 * fetched when used (`robot/messageFiles/download`, src/platforms/dingtalk/adapter.ts).
 */
export function messageFile(msg: RobotMessage): InboundFile | undefined {
  const content = (msg.content ?? {}) as { downloadCode?: string; fileName?: string; richText?: Array<{ type?: string; downloadCode?: string }> };
  const file = (kind: InboundFile['kind'], downloadCode: string, name?: string): InboundFile => ({
    kind,
    name: name || `dingtalk-${kind}-${msg.msgId}${kind === 'image' ? '.png' : ''}`,
    mime: kind === 'image' ? 'image/png' : 'application/octet-stream',
    size: 0,
    remote: JSON.stringify({ downloadCode }),
  });
  if (msg.msgtype === 'picture' && content.downloadCode) return file('image', content.downloadCode);
  if (msg.msgtype === 'file' && content.downloadCode) return file('file', content.downloadCode, content.fileName);
  const picture = msg.msgtype === 'richText' ? (content.richText ?? []).find((p) => p.type === 'picture' && p.downloadCode) : undefined;
  return picture ? file('image', picture.downloadCode!) : undefined;
}

export function decodeRobotMessage(msg: RobotMessage, botName: string, receivedAt: Date): DecodedMessage | null {
  const staffId = msg.senderStaffId || msg.senderId;
  const file = messageFile(msg);
  const raw = messageText(msg) ?? (file ? '' : null);
  if (!staffId || !msg.msgId || !msg.conversationId || raw === null) return null;
  const type = msg.conversationType === '2' ? 'group' : 'direct';
  let text = raw.trim();
  // DingTalk strips the robot's own @mention from the text. A group message that does not @ the robot
  // (isInAtList false) is chat between people and stays unaddressed; otherwise the mention goes back.
  const atRobot = type === 'direct' || msg.isInAtList !== false;
  if (type === 'group' && atRobot && !text.includes(`@${botName}`)) text = `@${botName} ${text}`;

  const tokens = [...text.matchAll(/@([^\s@]+)/g)].map((m) => m[1]!).filter((name) => name !== botName);
  const others = (msg.atUsers ?? []).filter((u) => u.dingtalkId !== msg.chatbotUserId && u.staffId && u.staffId !== staffId);
  // Pairing by order is a fallback for people we have not met; known users keep their directory name.
  const mentioned = others.map((u, i) => ({ staffId: u.staffId!, ...(tokens.length === others.length ? { nameInText: tokens[i]! } : {}) }));

  const conversationId = internalId('dingtalk', msg.conversationId);
  return {
    event: {
      kind: 'message',
      platform: 'dingtalk',
      eventId: msg.msgId,
      conversationId,
      conversationType: type,
      userId: internalId('dingtalk', staffId),
      text,
      mentions: [],
      receivedAt: (msg.createAt ? new Date(msg.createAt) : receivedAt).toISOString(),
      // Group messages reach a robot when they @ it; one flagged otherwise is not for the bot.
      addressedToBot: atRobot,
      ...(file ? { file } : {}),
    },
    sender: { staffId, nick: msg.senderNick || staffId },
    conversation: { externalId: msg.conversationId, type, name: type === 'group' ? msg.conversationTitle || `DingTalk ${msg.conversationId.slice(-6)}` : msg.senderNick || staffId },
    mentioned,
    ...(msg.sessionWebhook && msg.sessionWebhookExpiredTime ? { webhook: { url: msg.sessionWebhook, expiresAt: msg.sessionWebhookExpiredTime } } : {}),
  };
}

/** A card button click. `messageId` is the stream frame's id: a redelivered click is the same event. */
export function decodeCardCallback(cb: CardCallback, messageId: string, receivedAt: Date): CardActionEvent | null {
  if (!cb.outTrackId || !cb.userId) return null;
  let params: Record<string, unknown> = {};
  let actionIds: string[] = [];
  try {
    const content = JSON.parse(cb.content ?? '{}') as CardPrivateData;
    params = content.cardPrivateData?.params ?? {};
    actionIds = content.cardPrivateData?.actionIds ?? [];
  } catch {
    return null;
  }
  const action = typeof params[DINGTALK_ACTION_PARAM] === 'string' ? (params[DINGTALK_ACTION_PARAM] as string) : actionIds[0];
  if (!action) return null;
  const values = Object.fromEntries(
    Object.entries(params)
      .filter(([key]) => key !== DINGTALK_ACTION_PARAM)
      .map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]),
  );
  return {
    kind: 'card-action',
    platform: 'dingtalk',
    eventId: `card-${messageId}`,
    cardId: cardIdOf(cb.outTrackId),
    userId: internalId('dingtalk', cb.userId),
    action,
    values,
    receivedAt: receivedAt.toISOString(),
  };
}

/** Our card id as DingTalk's `outTrackId` (unusual characters are base64url-encoded behind `b64.`). */
export function outTrackIdOf(cardId: string): string {
  return /^[A-Za-z0-9_.:-]{1,100}$/.test(cardId) && !cardId.startsWith('b64.') ? cardId : `b64.${Buffer.from(cardId).toString('base64url')}`;
}

export function cardIdOf(outTrackId: string): string {
  return outTrackId.startsWith('b64.') ? Buffer.from(outTrackId.slice(4), 'base64url').toString() : outTrackId;
}
