/**
 * Attachments from WeCom messages: an image or file has no caption, so `会议 附件 #N` comes first
 * and the sender's next image or file in that chat is attached. App callbacks carry a MediaId
 * (fetched with `media/get` and the access token, which the fake checks); intelligent-bot messages
 * carry an encrypted URL and its aeskey. The real app against the WeCom fakes.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WecomCallbackDriver } from '../fakes/wecom/callback-driver.js';
import { eventually, startWecomWorld, type WecomWorld } from '../fakes/wecom/world.js';

let w: WecomWorld;
let meetingId: number;
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('badge photo bytes')]);

beforeAll(async () => {
  w = await startWecomWorld({ env: { HUIWU_GROUP_LIMIT_PER_MINUTE: '1000', HUIWU_RECIPIENT_LIMIT_PER_MINUTE: '1000' } });
  const from = lastBotSeq();
  w.bot.pushText({ userid: 'wangfang', chatid: 'grp1', content: '@会务助手 会议 新建 资料会 明天上午10点~11点' });
  const created = await eventually(() => w.bot.messages.find((m) => m.seq > from && m.conversation === 'group:grp1' && m.text), 15_000, 'the new meeting');
  meetingId = Number(/#(\d+)/.exec(created.text ?? '')?.[1]);
  expect(meetingId).toBeGreaterThan(0);
}, 60_000);

afterAll(async () => {
  await w?.close();
});

const lastBotSeq = () => w.bot.messages.at(-1)?.seq ?? 0;
const attachments = () => w.t.app.services.attachments.list(meetingId);

/** App callback mode (one-to-one with the app): posts `xml` and returns the app's next DM to wangfang. */
async function appSend(xml: string): Promise<string> {
  const before = w.api.messages.length;
  expect((await w.callback.post(xml)).status).toBe(200);
  const msg = await eventually(() => w.api.messages.slice(before).find((m) => m.to === 'wangfang' && m.text), 15_000, 'the app reply');
  return msg.text!;
}
const text = (content: string) => w.callback.textXml('wangfang', content, WecomCallbackDriver.msgId());
const image = (mediaId: string) => w.callback.mediaXml('wangfang', 'image', mediaId, WecomCallbackDriver.msgId());

describe('attachments from WeCom app callbacks', () => {
  it('attaches the image sent after 会议 附件 with the right bytes, fetched by media/get with a fresh token', async () => {
    expect(await appSend(text(`会议 附件 #${meetingId}`))).toContain(`请在 5 分钟内发送图片或文件，收到后附加到会议 #${meetingId}`);
    const mediaId = w.api.receiveMedia(JPEG, '胸卡照片.jpg', 'image/jpeg');
    // WeCom invalidated the token meanwhile: media/get answers 40014 once, the adapter refreshes and retries.
    w.api.revokeTokens();
    const answer = await appSend(image(mediaId));
    const hash = createHash('sha256').update(JPEG).digest('hex');
    expect(answer).toContain(`已将「胸卡照片.jpg」`);
    expect(answer).toContain(`SHA-256 ${hash.slice(0, 12)}`);
    const row = (await attachments()).find((a) => a.sha256 === hash)!;
    expect(row).toMatchObject({ mime: 'image/jpeg', size: JPEG.length, uploadedBy: 'wecom:wangfang' });
    expect(readFileSync(join(w.t.env.HUIWU_DATA_DIR!, row.path))).toEqual(JPEG);
    expect(w.api.calls('media/get').map((c) => c.errcode)).toEqual([40014, 0]);
    expect(w.api.calls('media/get').at(-1)!.query).toMatchObject({ media_id: mediaId });
  });

  it('does not attach after the wait expired, and explains how instead', async () => {
    const count = (await attachments()).length;
    await appSend(text(`会议 附件 #${meetingId}`));
    // Five minutes pass: the stored wait is now in the past.
    await w.t.app.services.db.attachmentPending.updateMany({ where: { userId: 'wecom:wangfang' }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const answer = await appSend(image(w.api.receiveMedia(Buffer.concat([JPEG, Buffer.from('late')]), 'late.jpg', 'image/jpeg')));
    expect(answer).toContain('收到文件，但不知道要附加到哪个会议');
    expect(await attachments()).toHaveLength(count);
  });

  it('refuses a forged or expired MediaId clearly and stores nothing', async () => {
    const count = (await attachments()).length;
    await appSend(text(`会议 附件 #${meetingId}`));
    expect(await appSend(image('forged-media-id'))).toContain('平台上找不到');
    expect(w.api.calls('media/get').at(-1)!.errcode).toBe(40007);

    await appSend(text(`会议 附件 #${meetingId}`));
    const old = w.api.receiveMedia(Buffer.from('%PDF-1.4 old'), 'old.pdf', 'application/pdf');
    w.api.expireReceived();
    expect(await appSend(w.callback.mediaXml('wangfang', 'file', old, WecomCallbackDriver.msgId(), 'old.pdf'))).toContain('平台上找不到「old.pdf」');
    expect(await attachments()).toHaveLength(count);
  });
});

describe('attachments from WeCom intelligent-bot messages', () => {
  /** The bot's next text in the group after `from`. */
  const nextInGroup = (from: number, what: string) => eventually(() => w.bot.messages.find((m) => m.seq > from && m.conversation === 'group:grp1' && m.text), 15_000, what);

  it('decrypts the image sent after the command and attaches the right bytes', async () => {
    let from = lastBotSeq();
    w.bot.pushText({ userid: 'wangfang', chatid: 'grp1', content: `@会务助手 会议 附件 #${meetingId}` });
    expect((await nextInGroup(from, 'the wait')).text).toContain('请在 5 分钟内发送图片或文件');
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('floor plan')]);
    from = lastBotSeq();
    w.bot.pushMedia({ userid: 'wangfang', chatid: 'grp1', kind: 'image', media: w.api.hostBotFile(png, 'plan.png') });
    const hash = createHash('sha256').update(png).digest('hex');
    expect((await nextInGroup(from, 'the attach answer')).text).toContain(`SHA-256 ${hash.slice(0, 12)}`);
    const row = (await attachments()).find((a) => a.sha256 === hash)!;
    expect(row.mime).toBe('image/png');
    expect(readFileSync(join(w.t.env.HUIWU_DATA_DIR!, row.path))).toEqual(png);
  });

  it('attaches a command and image sent together (mixed), and ignores a file nobody asked for', async () => {
    const gif = Buffer.from('GIF89a tiny');
    let from = lastBotSeq();
    w.bot.pushMedia({ userid: 'wangfang', chatid: 'grp1', kind: 'mixed', text: `@会务助手 会议 附件 #${meetingId}`, media: w.api.hostBotFile(gif, 'x.gif') });
    expect((await nextInGroup(from, 'the attach answer')).text).toContain(`附加到会议 #${meetingId}`);
    expect((await attachments()).some((a) => a.mime === 'image/gif')).toBe(true);

    const count = (await attachments()).length;
    from = lastBotSeq();
    w.bot.pushMedia({ userid: 'wangfang', chatid: 'grp1', kind: 'file', media: w.api.hostBotFile(Buffer.from('notes'), 'notes.txt'), filename: 'notes.txt' });
    w.bot.pushText({ userid: 'wangfang', chatid: 'grp1', content: '@会务助手 帮助' });
    expect((await nextInGroup(from, 'the help answer')).text).toContain('提醒');
    expect(w.bot.messages.filter((m) => m.seq > from && m.conversation === 'group:grp1')).toHaveLength(1);
    expect(await attachments()).toHaveLength(count);
  });

  it('refuses an image whose URL serves something its key does not open', async () => {
    const count = (await attachments()).length;
    let from = lastBotSeq();
    w.bot.pushText({ userid: 'wangfang', chatid: 'grp1', content: `@会务助手 会议 附件 #${meetingId}` });
    await nextInGroup(from, 'the wait');
    const hosted = w.api.hostBotFile(Buffer.from('real'), 'a.png');
    from = lastBotSeq();
    w.bot.pushMedia({ userid: 'wangfang', chatid: 'grp1', kind: 'image', media: { url: hosted.url, aeskey: Buffer.alloc(32, 9).toString('base64') } });
    expect((await nextInGroup(from, 'the refusal')).text).toContain('类型不对');
    expect(await attachments()).toHaveLength(count);
  });
});
