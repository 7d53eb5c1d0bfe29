/**
 * The fake DingTalk's "server side" state: people, chats, what the bot posted (by any route), and
 * interactive card instances. Tests and the conversation driver read it; the fake routes write it.
 */
export interface FakeUser {
  staffId: string;
  nick: string;
  /** DingTalk's encrypted per-app id, as in `senderId` / `atUsers[].dingtalkId`. */
  dingtalkId: string;
}

export interface FakeMessage {
  seq: number;
  /** The chat (openConversationId). */
  cid: string;
  /** `bot` or a staffId. */
  from: string;
  text?: string;
  markdown?: { title: string; text: string };
  /** outTrackId of an interactive card. */
  card?: string;
  /** An image (`sampleImageMsg`): the media id it referenced and the bytes uploaded with it, or a URL. */
  image?: { mediaId?: string; url?: string; data?: Buffer };
  via: 'user' | 'webhook' | 'robot-api' | 'card';
}

export interface FakeCard {
  outTrackId: string;
  templateId: string;
  cid: string;
  data: Record<string, string>;
  privateData: Map<string, Record<string, string>>;
  updates: number;
}

export const BOT = { nick: '会务助手', dingtalkId: '$:LWCP_v1:$botbotbot', staffId: 'robot' };

export class FakeWorld {
  readonly users = new Map<string, FakeUser>();
  readonly groups = new Map<string, { title: string; members: string[] }>();
  readonly messages: FakeMessage[] = [];
  readonly cards = new Map<string, FakeCard>();
  /** Files uploaded through the legacy media/upload, by media id. */
  readonly media = new Map<string, { mediaId: string; type: string; filename: string; contentType: string; data: Buffer; at: number }>();
  /** Pictures and files people sent, by the `downloadCode` their robot message carried. */
  readonly sentFiles = new Map<string, { data: Buffer; contentType: string; fileName: string }>();
  /** Calendar busy times by staffId, answered by the fake querySchedule. */
  readonly busy = new Map<string, Array<{ start: Date; end: Date }>>();
  private seq = 0;
  /** Called after every change (messages and cards), for waiting without polling delays. */
  onChange: () => void = () => undefined;

  addUser(staffId: string, nick: string): FakeUser {
    const user = { staffId, nick, dingtalkId: `$:LWCP_v1:$${staffId}` };
    this.users.set(staffId, user);
    return user;
  }

  addGroup(cid: string, title: string, members: string[]): void {
    this.groups.set(cid, { title, members });
  }

  /** The open conversation id of a person's one-to-one chat with the robot. */
  dmCid(staffId: string): string {
    return `cidDM${staffId}==`;
  }

  /** Inverse of dmCid, or null for groups. */
  dmOwner(cid: string): string | null {
    const m = /^cidDM(.+)==$/.exec(cid);
    return m ? m[1]! : null;
  }

  post(message: Omit<FakeMessage, 'seq'>): FakeMessage {
    const stored = { ...message, seq: ++this.seq };
    this.messages.push(stored);
    this.onChange();
    return stored;
  }

  botMessages(cid: string): FakeMessage[] {
    return this.messages.filter((m) => m.cid === cid && m.from === 'bot');
  }

  /** Applies card data the way DingTalk does: by key, or replacing everything. */
  applyCardData(outTrackId: string, data: Record<string, string> | undefined, byKey: boolean): void {
    const card = this.cards.get(outTrackId);
    if (!card || !data) return;
    card.data = byKey ? { ...card.data, ...data } : { ...data };
    card.updates++;
    this.onChange();
  }

  applyPrivateData(outTrackId: string, userId: string, data: Record<string, string> | undefined, byKey: boolean): void {
    const card = this.cards.get(outTrackId);
    if (!card || !data) return;
    card.privateData.set(userId, byKey ? { ...(card.privateData.get(userId) ?? {}), ...data } : { ...data });
    this.onChange();
  }
}
