/**
 * The archive pack and the meeting review against one scripted meeting: invitations and answers
 * (phones and ID numbers imported), a check-in, an incident, a task, a survey, an attachment.
 * 会议 复盘 shows the figures and turns a follow-up into a task; 会议 归档 is refused while the
 * close-out has open items, forced with a reason, then built clean; the pack holds every file
 * with PII masked, matches its SHA-256, decrypts with the key and not without; its single-use link
 * works once and for its owner only; the admin API lists and serves it; downloads are logged;
 * retention removes the packs.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { decryptFile, sha256File } from '../../src/db/backup-file.js';
import { archiveKey } from '../../src/services/archive-files.js';
import { Retention } from '../../src/services/retention.js';
import { startTestApp, type TestApp } from '../support/harness.js';
import { addressed, type SimMessage } from '../support/sim-client.js';

const GROUP = 'prep-group';
const TOKEN = 'test-admin-token-0123456789';
const PHONE = '13812345678';
const ID_NUMBER = '11010519491231002X';
let t: TestApp;
let scratch: string;

beforeAll(async () => {
  t = await startTestApp({ HUIWU_ADMIN_TOKEN: TOKEN, HUIWU_GROUP_LIMIT_PER_MINUTE: '1000', HUIWU_RECIPIENT_LIMIT_PER_MINUTE: '1000' });
  scratch = await mkdtemp(join(tmpdir(), 'huiwu-archive-test-'));
});
afterAll(async () => {
  await t?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const idOf = (text: string | undefined) => Number(/#(\d+)/.exec(text ?? '')?.[1]);
const cursor = async (conversation: string) => (await t.sim.messages(conversation)).at(-1)?.id ?? 0;
const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

async function api(path: string, user?: string) {
  const headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` };
  if (user) headers['x-huiwu-user'] = user;
  return fetch(`${t.baseUrl}/api${path}`, { headers });
}

/** Every file of a zip, by name. */
async function unzip(data: Buffer): Promise<Map<string, Buffer>> {
  const zip = await new Promise<yauzl.ZipFile>((ok, fail) => yauzl.fromBuffer(data, { lazyEntries: true }, (err, z) => (err ? fail(err) : ok(z))));
  const files = new Map<string, Buffer>();
  await new Promise<void>((ok, fail) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      zip.openReadStream(entry, (err, stream) => {
        if (err) return fail(err);
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          files.set(entry.fileName, Buffer.concat(chunks));
          zip.readEntry();
        });
      });
    });
    zip.on('end', ok);
    zip.on('error', fail);
    zip.readEntry();
  });
  return files;
}

/** Sends a command to the group and waits for the reply containing `expected` (other messages may come first). */
async function askFor(from: string, text: string, expected: string): Promise<SimMessage> {
  const id = await t.sim.say(GROUP, from, addressed(GROUP, text));
  return t.sim.nextBotMessage(GROUP, id, (m) => m.text?.includes(expected) ?? false);
}

/** Opens a sign-in link without following the redirect; the session cookie when it worked. */
async function openLink(url: string, cookie?: string) {
  const res = await fetch(`${t.baseUrl}${new URL(url).pathname}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });
  return { status: res.status, location: res.headers.get('location'), cookie: res.headers.get('set-cookie')?.split(';')[0] };
}

describe('meeting archive and review', () => {
  let meetingId = 0;
  let taskId = 0;
  let surveyId = 0;
  let incidentId = 0;
  const agenda = Buffer.from('%PDF-1.4 the agenda of the year-end meeting');

  it('scripts a meeting: invitations, answers, a check-in, an incident, a task, a survey, an attachment', async () => {
    const s = t.app.services;
    meetingId = idOf((await t.sim.ask(GROUP, 'zhaolei', '会议 新建 年终总结会 明天上午9点~11点 地点 一号厅')).text);
    expect(meetingId).toBeGreaterThan(0);
    const csv = ['姓名,用户ID,职务,部门,手机,身份证号,备注', `吴军,wujun,会计,财务部,${PHONE},${ID_NUMBER},`, '黄敏,huangmin,经理,市场部,,,'].join('\n');
    const imported = await fetch(`${t.baseUrl}/api/meetings/${meetingId}/attendees/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'x-huiwu-user': 'simulator:zhaolei', 'content-type': 'text/csv' },
      body: csv,
    });
    expect(imported.status).toBe(200);
    await t.sim.ask(GROUP, 'zhaolei', `会议 邀请 #${meetingId} @周婷 @张伟 @刘洋`);
    // Five invited; three answer: 60 % answered. Two confirm.
    expect((await t.sim.ask('dm-zhouting', 'zhouting', `会议 回复 #${meetingId} 参加`)).text).toContain('参加');
    expect((await t.sim.ask('dm-wujun', 'wujun', `会议 回复 #${meetingId} 参加`)).text).toContain('参加');
    expect((await t.sim.ask('dm-huangmin', 'huangmin', `会议 回复 #${meetingId} 不参加`)).text).toBeDefined();

    // It started an hour ago and ends in an hour.
    const meeting = (await s.meetings.get(meetingId))!;
    await s.meetings.reschedule(meeting, new Date(Date.now() - 3_600_000), new Date(Date.now() + 3_600_000));
    expect((await t.sim.ask(GROUP, 'zhaolei', `签到 #${meetingId} 周婷`)).text).toContain('周婷已签到');

    incidentId = idOf((await t.sim.ask(GROUP, 'wujun', `上报 设备 P3 一号厅 话筒没声音 会议 #${meetingId}`)).text);
    expect((await t.sim.ask(GROUP, 'zhaolei', `事件 解决 #${incidentId} 已更换话筒`)).text).toBeDefined();
    taskId = idOf((await t.sim.ask(GROUP, 'zhaolei', `任务 @张伟 归还音响设备 截止 后天下午3点 会议 #${meetingId}`)).text);

    const before = await cursor('dm-zhouting');
    surveyId = idOf((await t.sim.ask(GROUP, 'zhaolei', `问卷 发起 #${meetingId} 已确认`)).text);
    const card = (await t.sim.nextBotMessage('dm-zhouting', before, (m: SimMessage) => m.card?.id.startsWith(`sv-${surveyId}-`) ?? false)).card!;
    const values = { d0: '4', d1: '3', d2: '2', d3: '4', d4: '3', comment: '签到排队太久' };
    expect((await t.sim.click(card.id, 'zhouting', 'survey.submit', values)).body.accepted).toBe(true);

    const upload = await t.sim.request<{ id: number }>('POST', '/sim/api/uploads', {
      conversation: GROUP,
      from: 'zhaolei',
      text: addressed(GROUP, `会议 附件 #${meetingId}`),
      name: '议程.pdf',
      mime: 'application/pdf',
      data: agenda.toString('base64'),
    });
    expect(upload.status).toBe(202);
    expect((await t.sim.nextBotMessage(GROUP, upload.body.id, (m) => m.text !== undefined)).text).toContain('议程.pdf');
  }, 60_000);

  it('reviews the meeting with the console figures and turns a follow-up into a task', async () => {
    expect((await t.sim.ask(GROUP, 'zhouting', `会议 复盘 #${meetingId}`)).text).toContain(`只有会议 #${meetingId} 的组织者`);
    const text = (await t.sim.ask(GROUP, 'zhaolei', `会议 复盘 #${meetingId}`)).text!;
    expect(text).toContain(`📊 会议 #${meetingId}「年终总结会」复盘`);
    expect(text).toContain('回复率：60%（目标 ≥ 90%） ❌');
    expect(text).toContain('未到场：1 人（确认参加 2 人中的 50%）');
    expect(text).toContain('邀请 5 → 回复 3 → 参加 2 → 签到 1');
    expect(text).toContain('到场率：50%');
    expect(text).toMatch(/设备：1 起（未关闭 0），MTTA \S+，MTTR \S+/);
    expect(text).toContain('没有投诉');
    expect(text).toContain('满意度：3 / 5（目标 ≥ 4.5） ❌');
    expect(text).toContain('得分最低：场地设施 2');
    expect(text).toContain('「签到排队太久」');
    expect(text).toContain('尚无预算');
    expect(text).toContain('1. 改进邀请与催办：回复率仅 60%');
    expect(text).toContain('2. 跟进未到场的 1 人并改进到场提醒：到场率仅 50%');
    expect(text).toMatch(/3\. 改进场地设施.*满意度仅 3 分/);
    // The same figures as the console's KPI service.
    const kpis = await t.app.services.meetingKpis.compute((await t.app.services.meetings.get(meetingId))!, new Date());
    expect(kpis.kpis.find((k) => k.id === 'rsvp')!.value).toBe(0.6);
    expect(kpis.kpis.find((k) => k.id === 'satisfaction')!.value).toBe(3);

    expect((await t.sim.ask(GROUP, 'zhaolei', `会议 复盘 #${meetingId} 任务 9 @张伟 截止 明天下午5点`)).text).toContain('请写建议的序号（1~3）');
    const made = await t.sim.ask(GROUP, 'zhaolei', `会议 复盘 #${meetingId} 任务 1 @张伟 截止 明天下午5点`);
    const followUpTask = idOf(made.text);
    const task = await t.app.services.tasks.get(followUpTask);
    expect(task).toMatchObject({ title: '改进邀请与催办：回复率仅 60%', meetingId, assigneeId: 'simulator:zhangwei' });
    expect((await t.sim.ask(GROUP, 'zhaolei', `会议 复盘 #${meetingId}`)).text).toContain(`1. 改进邀请与催办：回复率仅 60%（已转为任务 #${followUpTask}）`);
    // Done at once, so only the scripted task and the survey hold the close-out open.
    await askFor('zhangwei', `任务 完成 #${followUpTask}`, `#${followUpTask}`);

    const english = (await t.sim.ask(GROUP, 'zhaolei', `meeting review #${meetingId}`)).text!;
    expect(english).toContain('No-shows: 1 (50% of the 2 who confirmed)');
    expect(english).toContain('1. Improve invitations and reminders: only 60% answered');
  }, 60_000);

  it('refuses to archive while the close-out has open items, archives by force with the reason, and packs every file', async () => {
    const s = t.app.services;
    const refused = (await t.sim.ask(GROUP, 'zhaolei', `会议 归档 #${meetingId}`)).text!;
    expect(refused).toContain(`会议 #${meetingId} 的收尾清单还有 2 项未完成，暂不能归档`);
    expect(refused).toContain(`→ 任务 完成 #${taskId}`);
    expect(refused).toContain(`→ 问卷 关闭 #${surveyId}`);
    expect((await t.sim.ask(GROUP, 'zhaolei', `会议 归档 #${meetingId} 强制`)).text).toContain('强制归档需要写明理由');
    expect((await t.sim.ask(GROUP, 'zhouting', `会议 归档 #${meetingId} 强制 想看看`)).text).toContain(`只有会议 #${meetingId} 的组织者`);
    expect((await t.sim.ask(GROUP, 'zhaolei', `会议 归档 #${meetingId} 随便`)).text).toContain('不认识的归档选项「随便」');
    expect(await s.archive.list(meetingId)).toHaveLength(0);

    const dm = await cursor('dm-zhaolei');
    const built = (await t.sim.ask(GROUP, 'zhaolei', `会议 归档 #${meetingId} 强制 音响下周才归还`)).text!;
    expect(built).toContain('已强制生成（收尾清单还有 2 项未完成；理由：音响下周才归还）');
    const [pack] = await s.archive.list(meetingId);
    expect(pack).toMatchObject({ meetingId, forcedReason: '音响下周才归还', openItems: 2, builtBy: 'simulator:zhaolei' });
    expect(built).toContain(`SHA-256 ${pack!.sha256}`);
    const link = (await t.sim.nextBotMessage('dm-zhaolei', dm, (m) => m.text?.includes(`归档包 #${pack!.id}`) ?? false)).text!;
    expect(link).toContain(`SHA-256 ${pack!.sha256}`);

    // At rest: encrypted, its checksum file matches, the key opens it and another key does not.
    const stored = s.archive.storedPath(pack!);
    expect(stored.startsWith(t.env.HUIWU_DATA_DIR!)).toBe(true);
    expect(await sha256File(stored)).toBe(pack!.encSha256);
    expect(readFileSync(`${stored}.sha256`, 'utf8')).toMatch(new RegExp(`^${pack!.encSha256}  meeting-${meetingId}-\\d{8}T\\d{6}Z\\.zip\\.enc\\n$`));
    expect(readFileSync(stored).includes(Buffer.from('summary.html'))).toBe(false);
    const plain = join(scratch, 'pack.zip');
    await decryptFile(stored, plain, archiveKey(s.config, s.piiKey));
    await expect(decryptFile(stored, join(scratch, 'wrong.zip'), Buffer.alloc(32, 7))).rejects.toThrow(/cannot be decrypted/);
    const zip = await readFile(plain);
    expect(sha(zip)).toBe(pack!.sha256);

    const files = await unzip(zip);
    const names = [...files.keys()];
    expect(names).toEqual(
      expect.arrayContaining(['summary.html', 'attendees.csv', 'checkin-log.csv', `incidents/incident-${incidentId}.txt`, 'tasks.csv', `surveys/survey-${surveyId}-results.csv`, `surveys/survey-${surveyId}-chart.png`]),
    );
    expect(names.some((n) => n.startsWith('budget'))).toBe(false);
    const attached = names.find((n) => n.startsWith('attachments/'))!;
    expect(attached).toMatch(/^attachments\/[0-9a-f]{16}-议程\.pdf$/);
    expect(files.get(attached)).toEqual(agenda);

    const attendees = files.get('attendees.csv')!.toString('utf8');
    expect(attendees).toContain('吴军');
    expect(attendees).toContain('138****5678');
    expect(attendees).not.toContain(PHONE);
    expect(attendees).not.toContain(ID_NUMBER);
    const checkins = files.get('checkin-log.csv')!.toString('utf8');
    expect(checkins).toContain('周婷');
    expect(checkins).toContain('赵磊');
    expect(checkins).not.toContain('吴军');
    expect(files.get(`incidents/incident-${incidentId}.txt`)!.toString('utf8')).toContain('已更换话筒');
    expect(files.get('tasks.csv')!.toString('utf8')).toContain('归还音响设备');
    expect(files.get(`surveys/survey-${surveyId}-results.csv`)!.toString('utf8')).toContain('签到排队太久');
    expect(files.get(`surveys/survey-${surveyId}-chart.png`)!.subarray(1, 4).toString()).toBe('PNG');

    const html = files.get('summary.html')!.toString('utf8');
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain(`会议 #${meetingId}「年终总结会」归档摘要`);
    expect(html).toContain('强制生成：收尾清单还有 2 项未完成。理由：音响下周才归还');
    expect(html).toContain('回复率');
    expect(html).toContain('目标 ≥ 90%');
    expect(html).toMatch(/<img alt="" src="data:image\/png;base64,[A-Za-z0-9+/]+=*">/);
    expect(html).toContain('跟进未到场的 1 人并改进到场提醒');
    expect(html).not.toMatch(/<script|https?:\/\//);
    // Every listed checksum is the file's own.
    for (const [name, data] of files) if (name !== 'summary.html') expect(html).toContain(sha(data));
  }, 60_000);

  it('serves the pack once through its link, to its owner only, and through the admin API; every download is logged', async () => {
    const s = t.app.services;
    const [pack] = await s.archive.list(meetingId);
    const dm = await cursor('dm-zhaolei');
    expect((await t.sim.ask(GROUP, 'zhaolei', `会议 归档 #${meetingId} 下载 ${pack!.id}`)).text).toContain(`归档包 #${pack!.id} 的下载链接已私信发给你`);
    const url = /https?:\/\/\S+/.exec((await t.sim.nextBotMessage('dm-zhaolei', dm, (m) => m.text?.includes('/auth/link/') ?? false)).text!)![0];

    // Someone else's session cannot use it, and cannot open the pack's page directly.
    const zhoutingLink = await s.pageAccess.issueLink('simulator:zhouting', '/auth/me');
    const zhouting = await openLink(zhoutingLink);
    expect(zhouting.cookie).toBeDefined();
    expect((await openLink(url, zhouting.cookie)).status).toBe(403);
    expect((await fetch(`${t.baseUrl}/archive/packs/${pack!.id}`, { headers: { cookie: zhouting.cookie!, accept: 'text/html' } })).status).toBe(403);
    expect((await fetch(`${t.baseUrl}/archive/packs/${pack!.id}`)).status).toBe(401);

    const first = await openLink(url);
    expect(first.status).toBe(303);
    expect(first.location).toBe(`/archive/packs/${pack!.id}`);
    const download = await fetch(`${t.baseUrl}${first.location}`, { headers: { cookie: first.cookie! } });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/zip');
    expect(sha(Buffer.from(await download.arrayBuffer()))).toBe(pack!.sha256);
    expect((await openLink(url)).status).toBe(410);

    // Admin API: organizers only; lists with the SHA-256, serves the same bytes.
    expect((await api(`/meetings/${meetingId}/archives`, 'simulator:zhouting')).status).toBe(403);
    const list = (await (await api(`/meetings/${meetingId}/archives`, 'simulator:zhaolei')).json()) as Array<{ id: number; sha256: string; forcedReason: string }>;
    expect(list).toEqual([expect.objectContaining({ id: pack!.id, sha256: pack!.sha256, forcedReason: '音响下周才归还' })]);
    expect((await api(`/archives/${pack!.id}`, 'simulator:zhouting')).status).toBe(403);
    const viaApi = await api(`/archives/${pack!.id}`, 'simulator:zhaolei');
    expect(viaApi.status).toBe(200);
    expect(sha(Buffer.from(await viaApi.arrayBuffer()))).toBe(pack!.sha256);
    const log = (await (await api(`/archives/${pack!.id}/downloads`, 'simulator:zhaolei')).json()) as Array<{ userId: string; via: string }>;
    expect(log.map((d) => [d.userId, d.via])).toEqual([
      ['simulator:zhaolei', 'link'],
      ['simulator:zhaolei', 'admin-api'],
    ]);
    // No decrypted copy is left behind.
    expect(readdirSync(join(t.env.HUIWU_DATA_DIR!, 'archives', 'tmp'))).toEqual([]);
  }, 60_000);

  it('archives without force once nothing blocks, and retention removes old packs', async () => {
    const s = t.app.services;
    await askFor('zhangwei', `任务 完成 #${taskId}`, `#${taskId}`);
    await askFor('zhaolei', `问卷 关闭 #${surveyId}`, `问卷 #${surveyId} 已关闭`);
    const closed = await askFor('zhaolei', `会议 结束 #${meetingId}`, '收尾清单已发出');
    expect(closed.text).toContain(`没有未完成事项。下一步：会议 归档 #${meetingId}`);
    const built = (await t.sim.ask(GROUP, 'zhaolei', `会议 归档 #${meetingId}`)).text!;
    expect(built).toContain('的归档包 #');
    expect(built).not.toContain('强制');
    const packs = await s.archive.list(meetingId);
    expect(packs).toHaveLength(2);
    expect(packs[0]).toMatchObject({ forcedReason: null, openItems: 0 });
    expect((await t.sim.ask(GROUP, 'zhaolei', `会议 归档 #${meetingId} 列表`)).text).toContain(`强制生成（理由：音响下周才归还）`);

    const retention = new Retention(s.db, s.config, pino({ level: 'silent' }));
    expect((await retention.prune(new Date())).archivePacks).toBe(0);
    const counts = await retention.prune(new Date(Date.now() + 367 * 86_400_000));
    expect(counts.archivePacks).toBe(2);
    for (const p of packs) {
      expect(existsSync(s.archive.storedPath(p))).toBe(false);
      expect(existsSync(`${s.archive.storedPath(p)}.sha256`)).toBe(false);
    }
    expect(await s.archive.list(meetingId)).toHaveLength(0);
    expect((await api(`/archives/${packs[0]!.id}`, 'simulator:zhaolei')).status).toBe(404);
    expect((await t.sim.ask(GROUP, 'zhaolei', `会议 归档 #${meetingId} 列表`)).text).toContain('还没有归档包');
  }, 60_000);
});
