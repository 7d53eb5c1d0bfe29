/**
 * Plays WeCom calling *into* our /wecom/callback (platforms.md A1-A2, part D): encrypts and signs
 * exactly as WXBizMsgCrypt does, sends the URL verification with a URL-encoded echostr, POSTs with a
 * 5 s client timeout and re-sends the same message up to 3 more times on timeout or non-200, and
 * accepts only an empty body or a valid encrypted reply envelope.
 */
import { randomBytes } from 'node:crypto';
import { decrypt, encrypt, getSignature } from '@wecom/crypto';

export interface DriverKeys {
  token: string;
  encodingAesKey: string;
  corpId: string;
}

export interface PostOptions {
  timestamp?: number;
  nonce?: string;
  /** Replaces the computed signature (forgery). */
  signature?: string;
  /** Encrypts with this receive id instead of the corp id. */
  receiveId?: string;
  /** Sends this body as is (broken envelopes). */
  rawBody?: string;
  timeoutMs?: number;
  /** Deliveries at most (WeCom: the first plus up to 3 re-sends). */
  maxDeliveries?: number;
}

export interface PostResult {
  status: number;
  deliveries: number;
  body: string;
}

const cdata = (v: string) => `<![CDATA[${v}]]>`;

export class WecomCallbackDriver {
  constructor(
    readonly url: string,
    readonly keys: DriverKeys,
  ) {}

  sign(timestamp: string | number, nonce: string, enc: string): string {
    return getSignature(this.keys.token, timestamp, nonce, enc);
  }

  encrypt(plaintext: string, receiveId = this.keys.corpId, random?: Buffer): string {
    return encrypt(this.keys.encodingAesKey, plaintext, receiveId, random);
  }

  /** URL verification: returns the status and body (which must be exactly `plain`). */
  async verifyUrl(plain: string, opts: { timestamp?: number; signature?: string } = {}): Promise<{ status: number; body: string }> {
    const timestamp = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
    const nonce = String(Math.floor(Math.random() * 1e9));
    const echostr = this.encrypt(plain);
    const signature = opts.signature ?? this.sign(timestamp, nonce, echostr);
    const res = await fetch(`${this.url}?msg_signature=${signature}&timestamp=${timestamp}&nonce=${nonce}&echostr=${encodeURIComponent(echostr)}`);
    return { status: res.status, body: await res.text() };
  }

  /** Delivers one message the way WeCom does, re-sending on timeout or non-200. */
  async post(xml: string, o: PostOptions = {}): Promise<PostResult> {
    const timestamp = String(o.timestamp ?? Math.floor(Date.now() / 1000));
    const nonce = o.nonce ?? String(Math.floor(Math.random() * 1e9));
    const enc = this.encrypt(xml, o.receiveId);
    const signature = o.signature ?? this.sign(timestamp, nonce, enc);
    const body = o.rawBody ?? `<xml><ToUserName>${cdata(this.keys.corpId)}</ToUserName><Encrypt>${cdata(enc)}</Encrypt><AgentID>${cdata('1000002')}</AgentID></xml>`;
    const max = o.maxDeliveries ?? 4;
    let last: PostResult = { status: 0, deliveries: 0, body: '' };
    for (let i = 1; i <= max; i++) {
      try {
        const res = await fetch(`${this.url}?msg_signature=${signature}&timestamp=${timestamp}&nonce=${nonce}`, {
          method: 'POST',
          headers: { 'content-type': 'text/xml' },
          body,
          signal: AbortSignal.timeout(o.timeoutMs ?? 5000),
        });
        last = { status: res.status, deliveries: i, body: await res.text() };
        if (res.status === 200) {
          this.checkReply(last.body);
          return last;
        }
      } catch (error) {
        if ((error as Error).message.startsWith('invalid reply')) throw error;
        last = { status: 0, deliveries: i, body: String(error) };
      }
    }
    return last;
  }

  /** WeCom takes an empty body (no passive reply) or an encrypted envelope signed with our token. */
  private checkReply(body: string): void {
    if (body === '') return;
    const m = /<Encrypt><!\[CDATA\[(.+?)\]\]><\/Encrypt>[\s\S]*<MsgSignature><!\[CDATA\[(.+?)\]\]><\/MsgSignature>[\s\S]*<TimeStamp>(\d+)<\/TimeStamp>[\s\S]*<Nonce><!\[CDATA\[(.+?)\]\]><\/Nonce>/.exec(body);
    if (!m || this.sign(m[3]!, m[4]!, m[1]!) !== m[2] || decrypt(this.keys.encodingAesKey, m[1]!).id !== this.keys.corpId) {
      throw new Error(`invalid reply body: ${body.slice(0, 120)}`);
    }
  }

  textXml(from: string, content: string, msgId: string, createTime = Math.floor(Date.now() / 1000)): string {
    return (
      `<xml><ToUserName>${cdata(this.keys.corpId)}</ToUserName>\n<FromUserName>${cdata(from)}</FromUserName>\n<CreateTime>${createTime}</CreateTime>\n` +
      `<MsgType>${cdata('text')}</MsgType>\n<Content>${cdata(content)}</Content>\n<MsgId>${msgId}</MsgId>\n<AgentID>1000002</AgentID>\n</xml>`
    );
  }

  /** An image (`PicUrl`, `MediaId`) or file (`MediaId`, `FileName`) message to the app. */
  mediaXml(from: string, kind: 'image' | 'file', mediaId: string, msgId: string, fileName?: string): string {
    return (
      `<xml><ToUserName>${cdata(this.keys.corpId)}</ToUserName><FromUserName>${cdata(from)}</FromUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime>` +
      `<MsgType>${cdata(kind)}</MsgType>` +
      (kind === 'image' ? `<PicUrl>${cdata(`https://wework.qpic.cn/${mediaId}`)}</PicUrl>` : '') +
      `<MediaId>${cdata(mediaId)}</MediaId>` +
      (fileName ? `<FileName>${cdata(fileName)}</FileName>` : '') +
      `<MsgId>${msgId}</MsgId><AgentID>1000002</AgentID></xml>`
    );
  }

  cardEventXml(e: { from: string; taskId: string; eventKey: string; responseCode: string; cardType?: string; createTime?: number; selected?: Record<string, string[]> }): string {
    const items = Object.entries(e.selected ?? {})
      .map(([q, ids]) => `<SelectedItem><QuestionKey>${cdata(q)}</QuestionKey><OptionIds>${ids.map((id) => `<OptionId>${cdata(id)}</OptionId>`).join('')}</OptionIds></SelectedItem>`)
      .join('');
    return (
      `<xml><ToUserName>${cdata(this.keys.corpId)}</ToUserName><FromUserName>${cdata(e.from)}</FromUserName><CreateTime>${e.createTime ?? Math.floor(Date.now() / 1000)}</CreateTime>` +
      `<MsgType>${cdata('event')}</MsgType><Event>${cdata('template_card_event')}</Event><EventKey>${cdata(e.eventKey)}</EventKey><TaskId>${cdata(e.taskId)}</TaskId>` +
      `<CardType>${cdata(e.cardType ?? 'button_interaction')}</CardType><ResponseCode>${cdata(e.responseCode)}</ResponseCode><AgentID>1000002</AgentID>` +
      (items ? `<SelectedItems>${items}</SelectedItems>` : '') +
      `</xml>`
    );
  }

  static msgId(): string {
    // 64-bit ids as WeCom sends them: beyond Number.MAX_SAFE_INTEGER on purpose.
    return (BigInt(`0x${randomBytes(8).toString('hex')}`) >> 1n).toString();
  }
}
