/**
 * Attachments from DingTalk messages: pictures and files carry only a `downloadCode`, so
 * `会议 附件 #N` comes first and the next picture or file of that person in that chat is attached,
 * downloaded through `robot/messageFiles/download` (robotCode checked by the fake) and its URL.
 * The real app against the DingTalk fakes.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DINGTALK_GROUP, startFakeDingTalk } from '../conversation/dingtalk-driver.js';
import { FAKE_APP, type FakeDingTalk } from '../fakes/dingtalk/fake-dingtalk.js';
import { startTestApp, type TestApp } from '../support/harness.js';

let fake: FakeDingTalk;
let t: TestApp;
let meetingId: number;
const MAX_BYTES = 64 * 1024;
const DM = () => fake.world.dmCid('wangfang');
/** A minimal PNG signature and some bytes: what DingTalk's storage serves for a picture. */
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('stage photo bytes')]);

beforeAll(async () => {
  fake = await startFakeDingTalk();
  t = await startTestApp({ ...fake.env(), HUIWU_ATTACHMENT_MAX_BYTES: String(MAX_BYTES), HUIWU_GROUP_LIMIT_PER_MINUTE: '1000', HUIWU_RECIPIENT_LIMIT_PER_MINUTE: '1000' });
  await fake.waitFor(() => fake.stream.openCount() > 0, 10_000, 'the stream connection');
  const before = seqNow();
  fake.say(DINGTALK_GROUP, 'wangfang', '@会务助手 会议 新建 资料会 明天上午10点~11点');
  meetingId = Number(/#(\d+)/.exec((await reply(DINGTALK_GROUP, before)).text ?? '')?.[1]);
  expect(meetingId).toBeGreaterThan(0);
}, 60_000);

afterAll(async () => {
  await t?.close();
  await fake?.close();
});

const seqNow = () => fake.world.messages.at(-1)?.seq ?? 0;
const reply = (cid: string, after: number, what = 'a reply') => fake.waitFor(() => fake.world.botMessages(cid).find((m) => m.seq > after && m.text !== undefined), 15_000, what);
const attachments = () => t.app.services.attachments.list(meetingId);
/** Sends `text` and returns the bot's answer. */
async function ask(cid: string, text: string): Promise<string> {
  const before = seqNow();
  fake.say(cid, 'wangfang', text);
  return (await reply(cid, before, `the answer to ${text}`)).text!;
}
async function sendFile(cid: string, f: Parameters<FakeDingTalk['sendFile']>[2], opts: Parameters<FakeDingTalk['sendFile']>[3] = {}): Promise<string> {
  const before = seqNow();
  fake.sendFile(cid, 'wangfang', f, opts);
  return (await reply(cid, before, 'the answer to the file')).text!;
}

describe('attachments from DingTalk messages', () => {
  it('attaches the picture sent after 会议 附件 with the right bytes, fetched with our robotCode', async () => {
    expect(await ask(DM(), `会议 附件 #${meetingId}`)).toContain(`请在 5 分钟内发送图片或文件，收到后附加到会议 #${meetingId}`);
    const answer = await sendFile(DM(), { kind: 'picture', data: PNG, contentType: 'application/octet-stream' });
    const hash = createHash('sha256').update(PNG).digest('hex');
    expect(answer).toContain(`附加到会议 #${meetingId}`);
    expect(answer).toContain(`SHA-256 ${hash.slice(0, 12)}`);
    const [row] = await attachments();
    expect(row).toMatchObject({ sha256: hash, mime: 'image/png', size: PNG.length, uploadedBy: 'dingtalk:wangfang' });
    expect(readFileSync(join(t.env.HUIWU_DATA_DIR!, row!.path))).toEqual(PNG);
    const download = fake.api.calls('/v1.0/robot/messageFiles/download').at(-1)!;
    expect(download).toMatchObject({ status: 200, body: { robotCode: FAKE_APP.robotCode } });
  });

  it('attaches a file in the group with its name and type; a later file without a command is ignored there', async () => {
    expect(await ask(DINGTALK_GROUP, `@会务助手 会议 附件 #${meetingId}`)).toContain('请在 5 分钟内发送图片或文件');
    const pdf = Buffer.from('%PDF-1.4 run of show');
    const answer = await sendFile(DINGTALK_GROUP, { kind: 'file', data: pdf, contentType: 'application/pdf', fileName: '流程 v3.pdf' });
    expect(answer).toContain('已将「流程 v3.pdf」');
    expect((await attachments()).find((a) => a.name === '流程 v3.pdf')).toMatchObject({ mime: 'application/pdf', size: pdf.length });

    // The wait was used: the next file is people sharing files, not for the bot.
    const before = seqNow();
    fake.sendFile(DINGTALK_GROUP, 'wangfang', { kind: 'file', data: Buffer.from('minutes'), contentType: 'text/plain', fileName: 'notes.txt' });
    fake.say(DINGTALK_GROUP, 'wangfang', '@会务助手 帮助');
    const next = await reply(DINGTALK_GROUP, before, 'the help answer');
    expect(next.text).toContain('提醒');
    expect(fake.world.botMessages(DINGTALK_GROUP).filter((m) => m.seq > before)).toHaveLength(1);
    expect((await attachments()).some((a) => a.name === 'notes.txt')).toBe(false);
  });

  it('does not attach after the wait expired, and explains how in the one-to-one chat', async () => {
    const count = (await attachments()).length;
    await ask(DM(), `会议 附件 #${meetingId}`);
    // Five minutes pass: the stored wait is now in the past.
    await t.app.services.db.attachmentPending.updateMany({ where: { userId: 'dingtalk:wangfang' }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const answer = await sendFile(DM(), { kind: 'picture', data: Buffer.concat([PNG, Buffer.from('late')]), contentType: 'image/png' });
    expect(answer).toContain('收到文件，但不知道要附加到哪个会议');
    expect(answer).toContain(`会议 附件 #1`);
    expect(await attachments()).toHaveLength(count);
  });

  it('refuses a forged downloadCode and a "picture" that is none, storing nothing', async () => {
    const count = (await attachments()).length;
    await ask(DM(), `会议 附件 #${meetingId}`);
    expect(await sendFile(DM(), { kind: 'picture', data: PNG, contentType: 'image/png' }, { downloadCode: 'dcforged0000' })).toContain('平台上找不到');
    expect(fake.api.calls('/v1.0/robot/messageFiles/download').at(-1)!.status).toBe(400);

    await ask(DM(), `会议 附件 #${meetingId}`);
    expect(await sendFile(DM(), { kind: 'picture', data: Buffer.from('<html>not an image</html>'), contentType: 'text/html' })).toContain('类型不对');
    expect(await attachments()).toHaveLength(count);
  });

  it('keeps the wait across a restart, and refuses a file over the limit without storing it', async () => {
    const count = (await attachments()).length;
    expect(await ask(DM(), `meeting attach #${meetingId}`)).toContain(`Send the image or file within 5 min and it will be attached to meeting #${meetingId}`);
    await t.stop();
    t = await t.restart();
    await fake.waitFor(() => fake.stream.openCount() > 0, 10_000, 'the stream connection');
    const big = Buffer.alloc(MAX_BYTES + 1, 1);
    expect(await sendFile(DM(), { kind: 'file', data: big, contentType: 'application/zip', fileName: 'all.zip' })).toContain('超过附件上限');
    expect(await attachments()).toHaveLength(count);
  }, 60_000);
});
