/**
 * The admin API: bearer token and organizer checks, CSV import that is all or nothing, PII
 * encrypted at rest and masked in chat, exports (masked, full and logged, supplier counts only).
 */
import { readFileSync, existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Card } from '../../cards/model.js';
import { onPostgres, startTestApp, type TestApp } from '../support/harness.js';

const TOKEN = 'test-admin-token-0123456789';
const ID_NUMBER = '11010519491231002X';
const ID_MASKED = '110***********002X';
const PHONE = '13812345678';
let t: TestApp;
let meetingId: number;

async function api(path: string, init: { method?: string; body?: string; user?: string; token?: string | null; type?: string } = {}) {
  const headers: Record<string, string> = {};
  if (init.token !== null) headers.authorization = `Bearer ${init.token ?? TOKEN}`;
  if (init.user) headers['x-huiwu-user'] = init.user;
  if (init.body !== undefined) headers['content-type'] = init.type ?? 'text/csv';
  const res = await fetch(`${t.baseUrl}/api${path}`, { method: init.method ?? 'GET', headers, body: init.body });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

beforeAll(async () => {
  t = await startTestApp({ HUIWU_ADMIN_TOKEN: TOKEN });
  const reply = await t.sim.ask('prep-group', 'wangfang', '会议 新建 答谢宴 后天晚上6点 地点 宴会厅');
  meetingId = Number(/#(\d+)/.exec(reply.text ?? '')![1]);
});
afterAll(async () => {
  await t?.close();
});

const GOOD_CSV = [
  '姓名,用户ID,职务,部门,手机,身份证号,备注',
  `吴军,wujun,会计,财务部,${PHONE},${ID_NUMBER},VIP`,
  '黄敏,huangmin,经理,市场部,,,',
  '"外宾 Smith",,总监,合作伙伴,+86 139-0000-1111,,"需接机, 航班 CA123"',
].join('\n');

describe('admin API', () => {
  it('refuses requests without the right token or from a non-organizer, changing nothing', async () => {
    expect((await api(`/meetings/${meetingId}/attendees.csv`, { token: null, user: 'simulator:wangfang' })).status).toBe(401);
    expect((await api(`/meetings/${meetingId}/attendees.csv`, { token: 'wrong-token-wrong-token-xx', user: 'simulator:wangfang' })).status).toBe(401);
    expect((await api(`/meetings/${meetingId}/attendees.csv`)).status).toBe(400);
    const stranger = await api(`/meetings/${meetingId}/attendees/import`, { method: 'POST', body: GOOD_CSV, user: 'simulator:zhouting' });
    expect(stranger.status).toBe(403);
    expect(await t.app.services.db.attendee.count({ where: { meetingId } })).toBe(0);
  });

  it('answers bad ids with a clear 400 and never shows internals', async () => {
    for (const path of ['/surveys/abc/results.csv', '/surveys/99999999999999999999/results.csv', '/meetings/x1/attendees.csv']) {
      const res = await api(path, { user: 'simulator:wangfang' });
      expect(res.status, path).toBe(400);
      expect(res.json().error, path).toMatch(/id must be a number such as 12 or #12/);
      expect(res.text, path).not.toMatch(/prisma|\/src\/|\.ts:\d|invocation/i);
    }
    const unknown = await api('/no/such/thing', { user: 'simulator:wangfang' });
    expect(unknown.status).toBe(404);
    expect(unknown.json()).toEqual({ error: 'no such endpoint: GET /api/no/such/thing' });
  });

  it('reports every bad row and imports nothing', async () => {
    const bad = [
      'name,platform user id,title,department,phone,ID number,notes',
      `吴军,wujun,会计,财务部,12345,${ID_NUMBER},`,
      ',huangmin,,,,,',
      '某人,nobody,,,,110105194912310021,',
      `赵磊,zhaolei,,,,,`,
    ].join('\n');
    const res = await api(`/meetings/${meetingId}/attendees/import`, { method: 'POST', body: bad, user: 'simulator:wangfang' });
    expect(res.status).toBe(422);
    const errors = res.json().errors as Array<{ row: number; column: string; message: string }>;
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ row: 2, column: '手机' }),
        expect.objectContaining({ row: 3, column: '姓名' }),
        expect.objectContaining({ row: 4, column: '用户ID' }),
        expect.objectContaining({ row: 4, column: '身份证号' }),
      ]),
    );
    expect(errors.some((e) => e.row === 5)).toBe(false);
    expect(await t.app.services.db.attendee.count({ where: { meetingId } })).toBe(0);
  });

  it('imports a good file, invites those with accounts, and keeps ID numbers encrypted', async () => {
    const res = await api(`/meetings/${meetingId}/attendees/import`, { method: 'POST', body: GOOD_CSV, user: 'simulator:wangfang' });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ imported: 3, invited: 2 });
    const card = await t.sim.nextBotMessage('dm-wujun', 0, (m) => m.card?.title.includes(`#${meetingId}`) ?? false);
    expect(card.card?.title).toContain('答谢宴');

    const row = await t.app.services.db.attendee.findFirst({ where: { meetingId, name: '吴军' } });
    expect(row?.idNumberEnc).toMatch(/^v1:/);
    expect(row?.idNumberEnc).not.toContain(ID_NUMBER);
    // The database files on disk hold no plaintext ID number or phone.
    const dbFile = t.env.DATABASE_URL!.slice('file:'.length);
    for (const file of onPostgres ? [] : [dbFile, `${dbFile}-wal`].filter(existsSync)) {
      const bytes = readFileSync(file);
      expect(bytes.includes(Buffer.from(ID_NUMBER)), file).toBe(false);
      expect(bytes.includes(Buffer.from(PHONE)), file).toBe(false);
    }
    // Uploading the same people again is reported, not imported twice.
    const again = await api(`/meetings/${meetingId}/attendees/import`, { method: 'POST', body: GOOD_CSV, user: 'simulator:wangfang' });
    expect(again.status).toBe(422);
    expect(await t.app.services.db.attendee.count({ where: { meetingId } })).toBe(3);
  });

  it('gives imported guests without an account their own state, outside follow-ups and response rates, answered by organizers by name', async () => {
    const status = `mstat-${meetingId}`;
    const field = (c: Card, label: string) => c.fields?.find((f) => f.label === label)?.value;
    const card = await t.sim.waitForCard('prep-group', status, (c) => field(c, '邀请') === '3 人');
    expect(field(card, '回复')).toBe('参加 0 · 不参加 0 · 待定 0 · 未回复 2 · 无账号 1');
    expect(field(card, '回复率')).toBe('0/2（0%）');
    expect((await t.sim.ask('prep-group', 'wangfang', `会议 催办 #${meetingId}`)).text).toContain('催办 2 位');
    expect((await t.sim.ask('prep-group', 'wangfang', `会议 名单 #${meetingId}`)).text).toContain('外宾 Smith（合作伙伴） · 无账号（由组织者记录回复）');

    expect((await t.sim.ask('prep-group', 'zhouting', `会议 回复 #${meetingId} 外宾 Smith 参加`)).text).toContain(`只有会议 #${meetingId} 的组织者可以替他人记录回复`);
    expect((await t.sim.ask('prep-group', 'wangfang', `会议 回复 #${meetingId} 不存在的人 参加`)).text).toContain('名单中没有「不存在的人」');
    const recorded = await t.sim.ask('prep-group', 'wangfang', `会议 回复 #${meetingId} 外宾 Smith 参加 素食`);
    expect(recorded.text).toContain(`已为外宾 Smith记录会议 #${meetingId} 的回复：参加 · 餐食：素食`);
    const after = await t.sim.waitForCard('prep-group', status, (c) => field(c, '回复') === '参加 1 · 不参加 0 · 待定 0 · 未回复 2');
    expect(field(after, '回复率')).toBe('1/3（33%）');
    expect(field(after, '餐食（参加者）')).toContain('素食 1');
  });

  it('masks personal data in chat', async () => {
    const reply = await t.sim.ask('prep-group', 'wangfang', `会议 名单 #${meetingId}`);
    expect(reply.text).toContain(ID_MASKED);
    expect(reply.text).toContain('138****5678');
    expect(reply.text).not.toContain(ID_NUMBER);
    expect(reply.text).toContain('外宾 Smith');
    const stranger = await t.sim.ask('prep-group', 'zhouting', `会议 名单 #${meetingId}`);
    expect(stranger.text).toContain('只有会议');
  });

  it('exports masked by default, in full only on request, and logs who and when', async () => {
    await t.sim.ask('dm-wujun', 'wujun', `会议 回复 #${meetingId} 参加 清真 住宿1晚`);
    await t.sim.ask('dm-huangmin', 'huangmin', `会议 回复 #${meetingId} 参加 过敏 海鲜`);
    const masked = await api(`/meetings/${meetingId}/attendees.csv`, { user: 'simulator:wangfang' });
    expect(masked.status).toBe(200);
    expect(masked.text).toContain(ID_MASKED);
    expect(masked.text).not.toContain(ID_NUMBER);
    expect(masked.text).toContain('"需接机, 航班 CA123"');
    expect(masked.text).toContain('餐食：清真,1');
    expect((await api(`/meetings/${meetingId}/pii-access-log`, { user: 'simulator:wangfang' })).json()).toEqual([]);

    const full = await api(`/meetings/${meetingId}/attendees.csv?pii=full`, { user: 'simulator:wangfang' });
    expect(full.text).toContain(ID_NUMBER);
    expect(full.text).toContain(PHONE);
    const log = (await api(`/meetings/${meetingId}/pii-access-log`, { user: 'simulator:wangfang' })).json() as unknown as Array<{ userId: string; at: string }>;
    expect(log).toHaveLength(1);
    expect(log[0]!.userId).toBe('simulator:wangfang');
    expect(Date.now() - Date.parse(log[0]!.at)).toBeLessThan(60_000);
  });

  it('gives suppliers counts and needs only, with each allergy text and how many gave it', async () => {
    await t.sim.ask('prep-group', 'wangfang', `会议 邀请 #${meetingId} @赵磊 @周婷`);
    await t.sim.ask('dm-zhaolei', 'zhaolei', `会议 回复 #${meetingId} 参加 过敏 海鲜`);
    await t.sim.ask('dm-zhouting', 'zhouting', `会议 回复 #${meetingId} 参加 过敏 花生`);
    const res = await api(`/meetings/${meetingId}/supplier.csv`, { user: 'simulator:wangfang' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('确认参加,5');
    expect(res.text).toContain('餐食：过敏或其他,3');
    expect(res.text).toContain('住宿：第1晚（间）,1');
    // Which allergens, most frequent first, without who.
    expect(res.text).toContain('过敏或其他：海鲜,2\r\n过敏或其他：花生,1');
    for (const secret of ['吴军', '黄敏', '赵磊', '周婷', 'Smith', PHONE, '138****5678', ID_MASKED]) expect(res.text).not.toContain(secret);
  });
});
