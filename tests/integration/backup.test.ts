/**
 * Backups: one taken while an invitation fan-out is writing, restored with `npm run db:restore`
 * into a fresh data folder, holds every row that existed when it started, and an app started on
 * it shows the same meetings. A wrong key, a damaged file and a running instance are refused;
 * each folder keeps only HUIWU_BACKUP_KEEP backups; a failed backup alerts the admins.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPrisma } from '../../src/db/client.js';
import { seedDepartment, watchSimChanges } from '../support/fanout.js';
import { BACKUP_SCHEDULER_ID } from '../../jobs/maintenance.js';
import { startTestApp, testEnv, type TestApp } from '../support/harness.js';
import { runRestore } from '../support/restore-script.js';

const KEY = randomBytes(32).toString('hex');
const N = 200;
const GROUP = 'prep-group';
const folders: string[] = [];
const apps: TestApp[] = [];
const folder = () => {
  const dir = mkdtempSync(join(tmpdir(), 'huiwu-backup-test-'));
  folders.push(dir);
  return dir;
};

afterAll(async () => {
  for (const app of apps) await app.close();
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});


const backupsIn = (dir: string) => readdirSync(dir).filter((n) => n.endsWith('.db.enc')).sort();

describe('database backups', () => {
  it('keeps the next backup time across restarts, so frequent restarts never postpone backups for good', async () => {
    let t = await startTestApp({ HUIWU_BACKUP_INTERVAL: '2h', HUIWU_BACKUP_DIR: folder() });
    const next = async () => (await t.app.queues.maintenance.getJobScheduler(BACKUP_SCHEDULER_ID))?.next;
    const first = await next();
    expect(first).toBeGreaterThan(Date.now() + 2 * 3600_000 - 120_000);
    t = await t.restart();
    apps.push(t);
    expect(await next()).toBe(first);
  });

  it('a backup taken during a fan-out restores every row that existed and starts an app with the same meetings', async () => {
    const local = folder();
    const remote = folder();
    const t = await startTestApp({
      HUIWU_BACKUP_DIR: local,
      HUIWU_BACKUP_REMOTE_DIR: remote,
      HUIWU_BACKUP_KEY: KEY,
      HUIWU_SIM_SEND_RATE: '40',
      HUIWU_RECIPIENT_LIMIT_PER_MINUTE: '10000',
    });
    apps.push(t);
    const db = t.app.services.db;
    await seedDepartment(db, '扩大会议代表', N);
    const created = await t.sim.ask(GROUP, 'wangfang', '会议 新建 扩大会议 后天上午9点 地点 礼堂');
    const meetingId = Number(/#(\d+)/.exec(created.text ?? '')?.[1]);

    // Back up once a tenth of the invitations have arrived, while the rest are being sent.
    const reached = new Set<string>();
    let underWay!: () => void;
    const started = new Promise<void>((resolve) => (underWay = resolve));
    const watcher = await watchSimChanges(t.baseUrl, (c) => {
      if (c.startsWith('dm-fan')) reached.add(c);
      if (reached.size >= N / 10) underWay();
    });
    expect((await t.sim.ask(GROUP, 'wangfang', `会议 邀请 #${meetingId} 部门 扩大会议代表`, 20_000)).text).toContain(`已邀请 ${N} 人`);
    await started;
    watcher.close();

    const before = {
      simMessages: (await db.simMessage.findMany({ select: { id: true } })).map((r) => r.id),
      sent: (await db.outboundMessage.findMany({ where: { status: 'sent' }, select: { id: true } })).map((r) => r.id),
      attendees: await db.attendee.count({ where: { meetingId } }),
    };
    const result = await t.app.backup.run();
    const invitesAfter = await db.simMessage.count({ where: { cardId: { startsWith: `inv-m${meetingId}-` } } });
    // The fan-out was still writing: the backup did not wait for it to finish.
    expect(before.sent.filter((id) => id.startsWith(`card-inv-m${meetingId}-`)).length).toBeLessThan(N);
    expect(before.attendees).toBe(N);
    expect(backupsIn(local)).toEqual([result.name]);
    expect(backupsIn(remote)).toEqual([result.name]);
    expect(existsSync(join(remote, `${result.name}.sha256`))).toBe(true);
    expect(invitesAfter).toBeGreaterThan(0);

    // Restored into a fresh data folder by the real script.
    const fresh = folder();
    const freshDb = join(fresh, 'huiwu.db');
    const restored = await runRestore(join(remote, result.name), { DATABASE_URL: `file:${freshDb}`, HUIWU_DATA_DIR: fresh, HUIWU_BACKUP_KEY: KEY });
    expect(restored.output).toContain('Restored');
    expect(restored.code).toBe(0);
    const copy = createPrisma(`file:${freshDb}`);
    try {
      const simIds = new Set((await copy.simMessage.findMany({ select: { id: true } })).map((r) => r.id));
      expect(before.simMessages.filter((id) => !simIds.has(id))).toEqual([]);
      const sentIds = new Set((await copy.outboundMessage.findMany({ where: { status: 'sent' }, select: { id: true } })).map((r) => r.id));
      expect(before.sent.filter((id) => !sentIds.has(id))).toEqual([]);
      expect(await copy.attendee.count({ where: { meetingId } })).toBe(N);
    } finally {
      await copy.$disconnect();
    }

    // Refused: a running instance on the target, a wrong key, a damaged file. Nothing is replaced.
    const running = await runRestore(join(local, result.name), { DATABASE_URL: t.env.DATABASE_URL!, HUIWU_DATA_DIR: t.env.HUIWU_DATA_DIR!, HUIWU_BACKUP_KEY: KEY });
    expect(running.code).toBe(1);
    expect(running.output).toMatch(/Huiwu is running on .* \(pid \d+\): stop it first/);
    const other = folder();
    const wrongKey = await runRestore(join(local, result.name), { DATABASE_URL: `file:${join(other, 'huiwu.db')}`, HUIWU_DATA_DIR: other, HUIWU_BACKUP_KEY: randomBytes(32).toString('hex') });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.output).toContain('wrong key');
    expect(existsSync(join(other, 'huiwu.db'))).toBe(false);
    const damaged = join(other, result.name);
    writeFileSync(damaged, '');
    appendFileSync(damaged, Buffer.from('not a backup'));
    writeFileSync(`${damaged}.sha256`, `${'0'.repeat(64)}  ${result.name}\n`);
    const bad = await runRestore(damaged, { DATABASE_URL: `file:${join(other, 'huiwu.db')}`, HUIWU_DATA_DIR: other, HUIWU_BACKUP_KEY: KEY });
    expect(bad.code).toBe(1);
    expect(bad.output).toContain('checksum mismatch');

    // An app on the restored folder lists the same meetings as the original.
    const original = (await t.sim.ask(GROUP, 'wangfang', '会议 列表')).text;
    const revived = await startTestApp({}, { ...(await testEnv()), DATABASE_URL: `file:${freshDb}`, HUIWU_DATA_DIR: fresh, HUIWU_BACKUP_KEY: KEY });
    apps.push(revived);
    const listed = (await revived.sim.ask(GROUP, 'wangfang', '会议 列表')).text;
    expect(listed).toContain(`#${meetingId} 扩大会议`);
    expect(listed).toBe(original);
  }, 180_000);

  it('keeps only the newest HUIWU_BACKUP_KEEP backups in each folder', async () => {
    const local = folder();
    const remote = folder();
    const t = await startTestApp({ HUIWU_BACKUP_DIR: local, HUIWU_BACKUP_REMOTE_DIR: remote, HUIWU_BACKUP_KEEP: '2', HUIWU_BACKUP_KEY: KEY });
    apps.push(t);
    const names = [];
    for (let i = 0; i < 4; i++) names.push((await t.app.backup.run(new Date(Date.UTC(2026, 11, 1, 8 + 2 * i)))).name);
    expect(backupsIn(local)).toEqual(names.slice(2));
    expect(backupsIn(remote)).toEqual(names.slice(2));
    expect(readdirSync(local).filter((n) => n.endsWith('.sha256')).length).toBe(2);
  });

  it('a failed backup alerts every admin by DM', async () => {
    const blocked = join(folder(), 'not-a-folder');
    writeFileSync(blocked, 'a file where the backup folder should be');
    const t = await startTestApp({ HUIWU_BACKUP_DIR: blocked, HUIWU_BACKUP_KEY: KEY });
    apps.push(t);
    const last = (await t.sim.messages('dm-wangfang')).at(-1)?.id ?? 0;
    await expect(t.app.backup.run()).rejects.toThrow(/not written/);
    const alert = await t.sim.nextBotMessage('dm-wangfang', last, (m) => m.text?.includes('数据库备份失败') ?? false);
    expect(alert.text).toContain(blocked);
    // Not an admin: nothing.
    expect((await t.sim.messages('dm-zhaolei')).some((m) => m.text?.includes('数据库备份失败'))).toBe(false);
  });
});
