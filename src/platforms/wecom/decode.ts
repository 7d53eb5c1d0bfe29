/**
 * Raw WeCom payloads -> our InboundEvent. Pure functions: XML/JSON parsing, event ids for
 * de-duplication, task id <-> card id.
 */
import { createHash } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import type { CardActionEvent, InboundFile, MessageEvent } from '../types.js';
import type { WecomBotBody, WecomBotCardEvent, WecomBotMedia, WecomCallbackXml, WecomSelectedItemXml } from './raw-types.js';
import { CallbackError } from './verify.js';

// Every leaf stays a string: MsgId is a 64-bit integer and must not become a lossy number.
const parser = new XMLParser({ parseTagValue: false, ignoreAttributes: true, trimValues: true, processEntities: false, ignoreDeclaration: true });

function parseXmlRoot(text: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parser.parse(text, true);
  } catch (error) {
    throw new CallbackError('malformed', `invalid XML: ${(error as Error).message.split('\n')[0]}`);
  }
  const root = (doc as { xml?: unknown }).xml;
  if (!root || typeof root !== 'object') throw new CallbackError('malformed', 'no <xml> root element');
  return root as Record<string, unknown>;
}

/** The outer POST envelope: XML `<xml><Encrypt>…`, tolerating the JSON form `{"encrypt": …}`. */
export function parseEnvelope(body: string): { encrypt: string; toUserName?: string } {
  const trimmed = body.trim();
  if (trimmed.startsWith('{')) {
    let json: { encrypt?: unknown; tousername?: unknown };
    try {
      json = JSON.parse(trimmed) as typeof json;
    } catch {
      throw new CallbackError('malformed', 'invalid JSON envelope');
    }
    if (typeof json.encrypt !== 'string' || json.encrypt === '') throw new CallbackError('malformed', 'no encrypt field');
    return { encrypt: json.encrypt, ...(typeof json.tousername === 'string' ? { toUserName: json.tousername } : {}) };
  }
  const root = parseXmlRoot(trimmed);
  if (typeof root.Encrypt !== 'string' || root.Encrypt === '') throw new CallbackError('malformed', 'no <Encrypt> element');
  return { encrypt: root.Encrypt, ...(typeof root.ToUserName === 'string' ? { toUserName: root.ToUserName } : {}) };
}

export function parseCallbackXml(plaintext: string): WecomCallbackXml {
  const root = parseXmlRoot(plaintext);
  if (typeof root.MsgType !== 'string' || typeof root.FromUserName !== 'string' || typeof root.CreateTime !== 'string') {
    throw new CallbackError('malformed', 'MsgType, FromUserName and CreateTime are required');
  }
  return root as WecomCallbackXml;
}

const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * Card ids become WeCom task ids (`[A-Za-z0-9_\-@]`, ≤128 bytes, unique per app). A card id with
 * other characters is base64url-encoded behind `x-`; `@<n>` marks the n-th fresh copy of a card
 * (sent when its response code could not be used).
 */
export function taskIdOf(cardId: string, copy = 0): string {
  const base = /^[A-Za-z0-9_-]+$/.test(cardId) && !cardId.startsWith('x-') ? cardId : `x-${Buffer.from(cardId).toString('base64url')}`;
  const taskId = copy > 0 ? `${base}@${copy}` : base;
  if (Buffer.byteLength(taskId) > 128) throw new Error(`card id too long for a WeCom task id: ${cardId}`);
  return taskId;
}

export function cardIdOf(taskId: string): string {
  const base = taskId.replace(/@\d+$/, '');
  return base.startsWith('x-') ? Buffer.from(base.slice(2), 'base64url').toString('utf8') : base;
}

/** Internal conversation ids: `wecom:dm:<userid>`, `wecom:group:<bot chatid>`, `wecom:appchat:<chatid>`. */
export const conversationExternalId = {
  dm: (userid: string) => `dm:${userid}`,
  group: (chatid: string) => `group:${chatid}`,
  appchat: (chatid: string) => `appchat:${chatid}`,
};

export type WecomConversationRef = { kind: 'dm' | 'group' | 'appchat'; id: string };

export function parseConversationExternalId(externalId: string): WecomConversationRef | null {
  const m = /^(dm|group|appchat):(.+)$/.exec(externalId);
  return m ? { kind: m[1] as WecomConversationRef['kind'], id: m[2]! } : null;
}

export interface DecodedCallback {
  event: MessageEvent | CardActionEvent;
  /** For card clicks: the single-use code that lets us update the clicker's card (72 h). */
  responseCode?: string;
  fromUser: string;
}

/** An app callback -> our event; null for message/event types we do not handle (still ACKed). */
export function decodeCallback(x: WecomCallbackXml, receivedAt: Date): DecodedCallback | null {
  const from = x.FromUserName!;
  const at = receivedAt.toISOString();
  if (x.MsgType === 'text' && x.MsgId) {
    return {
      fromUser: from,
      event: {
        kind: 'message',
        platform: 'wecom',
        eventId: `app-msg-${x.MsgId}`,
        conversationId: `wecom:${conversationExternalId.dm(from)}`,
        conversationType: 'direct',
        userId: `wecom:${from}`,
        text: x.Content ?? '',
        mentions: [],
        receivedAt: at,
      },
    };
  }
  if ((x.MsgType === 'image' || x.MsgType === 'file') && x.MsgId && x.MediaId) {
    const image = x.MsgType === 'image';
    return {
      fromUser: from,
      event: {
        kind: 'message',
        platform: 'wecom',
        eventId: `app-msg-${x.MsgId}`,
        conversationId: `wecom:${conversationExternalId.dm(from)}`,
        conversationType: 'direct',
        userId: `wecom:${from}`,
        // An image carries no caption: the file waits for a `会议 附件 #N` sent before it.
        text: '',
        mentions: [],
        receivedAt: at,
        file: {
          kind: image ? 'image' : 'file',
          name: x.FileName || `wecom-${x.MsgType}-${x.MsgId}${image ? '.jpg' : ''}`,
          mime: image ? 'image/jpeg' : 'application/octet-stream',
          size: 0,
          remote: JSON.stringify({ via: 'app', mediaId: x.MediaId }),
        },
      },
    };
  }
  if (x.MsgType === 'event' && x.Event === 'template_card_event' && x.TaskId && x.EventKey) {
    const values: Record<string, string> = {};
    for (const item of asArray<WecomSelectedItemXml>(x.SelectedItems?.SelectedItem)) {
      if (item.QuestionKey) values[item.QuestionKey] = asArray(item.OptionIds?.OptionId).join(',');
    }
    return {
      fromUser: from,
      ...(x.ResponseCode ? { responseCode: x.ResponseCode } : {}),
      // Events carry no MsgId. WeCom documents FromUserName + CreateTime as the retry key, but two
      // clicks by one person within a second share it: the task id and the button make it unique.
      event: { kind: 'card-action', platform: 'wecom', eventId: appEventId(from, x.CreateTime!, x.TaskId, x.EventKey), cardId: cardIdOf(x.TaskId), userId: `wecom:${from}`, action: x.EventKey, values, receivedAt: at },
    };
  }
  return null;
}

/**
 * De-duplication id of an app event: a WeCom retry repeats all four parts; a second click in the
 * same second differs in the card (task id) or the button (event key). Long task ids are hashed
 * so the id stays a short job id.
 */
export function appEventId(fromUser: string, createTime: string, taskId: string, eventKey: string): string {
  const tail = `${taskId}-${eventKey}`;
  const click = /^[A-Za-z0-9_@.-]{1,80}$/.test(tail) ? tail : createHash('sha256').update(`${taskId}\n${eventKey}`).digest('hex').slice(0, 32);
  return `app-evt-${fromUser}-${createTime}-${click}`;
}

/** The nested `template_card_event` object is what the server sends; the SDK types read it flat. */
export function botCardEvent(body: WecomBotBody): WecomBotCardEvent | null {
  const e = body.event;
  if (!e || e.eventtype !== 'template_card_event') return null;
  const nested = e.template_card_event;
  return nested?.task_id ? nested : e.task_id ? e : null;
}

export function botCardValues(card: WecomBotCardEvent): Record<string, string> {
  const values: Record<string, string> = {};
  for (const item of card.selected_items?.selected_item ?? []) values[item.question_key] = (item.option_ids?.option_id ?? []).join(',');
  return values;
}

/** `@token` words typed in a bot message (WeCom sends mentions as plain text). */
export function mentionTokens(text: string): string[] {
  return [...text.matchAll(/@([^\s@]+)/g)].map((m) => m[1]!);
}

/**
 * The text and the file of a bot message: `text`, `image`, `file`, or `mixed` (text parts joined, the
 * first image kept). Null for kinds we do not read (voice arrives transcribed as `voice.content`: not yet).
 */
export function botMessageContent(body: WecomBotBody): { text: string; file?: InboundFile } | null {
  const media = (kind: InboundFile['kind'], m: WecomBotMedia, name?: string): InboundFile => ({
    kind,
    name: name || `wecom-${kind}-${body.msgid}${kind === 'image' ? '.jpg' : ''}`,
    mime: kind === 'image' ? 'image/jpeg' : 'application/octet-stream',
    size: 0,
    remote: JSON.stringify({ via: 'bot', url: m.url, aeskey: m.aeskey }),
  });
  if (body.msgtype === 'text' && body.text) return { text: body.text.content };
  if (body.msgtype === 'image' && body.image?.url) return { text: '', file: media('image', body.image) };
  if (body.msgtype === 'file' && body.file?.url) return { text: '', file: media('file', body.file, body.file.filename) };
  if (body.msgtype === 'mixed' && body.mixed?.msg_item) {
    const items = body.mixed.msg_item;
    const text = items.flatMap((i) => (i.msgtype === 'text' && i.text ? [i.text.content] : [])).join(' ');
    const image = items.find((i) => i.msgtype === 'image' && i.image?.url)?.image;
    return { text, ...(image ? { file: media('image', image) } : {}) };
  }
  return null;
}
