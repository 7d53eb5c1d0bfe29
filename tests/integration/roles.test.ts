/** 角色 / role: administrators grant and revoke roles; HUIWU_ADMINS names administrators from the start. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/harness.js';

let t: TestApp;
const DM = (u: string) => `dm-${u}`;

beforeAll(async () => {
  t = await startTestApp({ HUIWU_ADMINS: 'simulator:huangmin' });
});
afterAll(() => t?.close());

describe('roles', () => {
  it('lets an administrator make someone an organizer, who can then create meetings, and take it back', async () => {
    expect((await t.sim.ask('prep-group', 'zhouting', '会议 新建 周会 明天下午3点')).text).toMatch(/组织者/);
    expect((await t.sim.ask(DM('wangfang'), 'wangfang', '角色 授予 @周婷 组织者')).text).toBe('✅ 已授予 周婷「组织者」角色');
    expect((await t.sim.ask('prep-group', 'zhouting', '会议 新建 周会 明天下午3点')).text).toMatch(/^✅/);
    expect((await t.sim.ask(DM('wangfang'), 'wangfang', '角色 授予 @周婷 组织者')).text).toBe('周婷 已经是「组织者」');
    expect((await t.sim.ask(DM('wangfang'), 'wangfang', '角色 列表')).text).toMatch(/组织者：.*周婷/);
    expect((await t.sim.ask(DM('wangfang'), 'wangfang', '角色 撤销 @周婷 组织者')).text).toBe('✅ 已撤销 周婷 的「组织者」角色');
    expect((await t.sim.ask('prep-group', 'zhouting', '会议 新建 周会2 明天下午4点')).text).toMatch(/组织者/);
  });

  it('refuses people who are not administrators, unknown roles and a missing @, changing nothing', async () => {
    expect((await t.sim.ask(DM('zhaolei'), 'zhaolei', '角色 授予 @周婷 管理员')).text).toContain('只有管理员可以授予或撤销角色');
    expect((await t.sim.ask(DM('wangfang'), 'wangfang', '角色 授予 @周婷 老板')).text).toContain('不认识的角色「老板」');
    expect((await t.sim.ask(DM('wangfang'), 'wangfang', '角色 授予 组织者')).text).toContain('请 @ 要设置的人并写明角色');
    expect((await t.sim.ask(DM('wangfang'), 'wangfang', '角色 撤销 @王芳 管理员')).text).toContain('不能撤销自己的管理员角色');
    expect((await t.app.services.directory.user('simulator:zhouting'))!.roles).not.toContain('admin');
  });

  it('makes HUIWU_ADMINS administrators, whose role cannot be revoked by command', async () => {
    expect((await t.sim.ask(DM('huangmin'), 'huangmin', 'role grant @周婷 executive')).text).toBe('✅ executive role granted to 周婷');
    expect((await t.sim.ask(DM('wangfang'), 'wangfang', '角色 撤销 @黄敏 管理员')).text).toContain('来自配置 HUIWU_ADMINS');
    expect((await t.sim.ask(DM('wangfang'), 'wangfang', '角色 列表')).text).toMatch(/管理员：.*黄敏/);
  });
});
