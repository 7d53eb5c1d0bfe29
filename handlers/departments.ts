/**
 * 部门 / dept: departments, heads and members (organizers and admins change them).
 * 清单 / checklist: apply the preparation checklist to a meeting and show its completion rate.
 */
import { type CommandContext, type CommandSpec, UsageError, UserError } from '../src/router/types.js';
import { DEFAULT_CHECKLIST } from '../src/services/checklists.js';
import { loadMeeting, loadOwnMeeting, matchSub, takeId } from './meeting-args.js';

function requireManager(ctx: CommandContext): void {
  if (!ctx.user.roles.some((r) => r === 'organizer' || r === 'admin')) throw new UserError('只有组织者或管理员可以管理部门');
}

export const departmentCommand: CommandSpec = {
  id: 'department',
  async handle(ctx) {
    const d = ctx.services.departments;
    const { sub, rest } = matchSub(ctx.args, { list: ['列表', 'list'], create: ['新建', 'new'], head: ['负责人', 'head'], members: ['成员', 'members'] });
    const name = rest.split(' ')[0] ?? '';
    switch (sub) {
      case 'create':
        requireManager(ctx);
        if (!name) throw new UsageError('缺少部门名称');
        await d.create(name, ctx.mentions[0]?.id ?? null);
        return `✅ 已新建部门「${name}」${ctx.mentions[0] ? `，负责人 ${ctx.mentions[0].name}` : ''}`;
      case 'head':
        requireManager(ctx);
        if (!name || ctx.mentions.length !== 1) throw new UsageError('请写部门名称并 @ 一位负责人');
        await d.setHead(name, ctx.mentions[0]!.id);
        return `✅ ${name}负责人：${ctx.mentions[0]!.name}（部门任务将发给他/她分派）`;
      case 'members': {
        requireManager(ctx);
        if (!name || ctx.mentions.length === 0) throw new UsageError('请写部门名称并 @ 成员');
        await d.addMembers(name, ctx.mentions.map((m) => m.id));
        return `✅ 已将 ${ctx.mentions.map((m) => m.name).join('、')} 加入${name}`;
      }
      case 'list':
      case null: {
        if (sub === null && ctx.args) {
          const dept = await d.require(ctx.args);
          const members = await d.members(dept.name);
          const head = members.find((m) => m.id === dept.headUserId);
          return `${dept.name} · 负责人 ${head?.name ?? '未设'}\n成员（${members.length}）：${members.map((m) => m.name).join('、') || '无'}`;
        }
        const lines = await Promise.all(
          (await d.list()).map(async (dept) => {
            const head = dept.headUserId ? await ctx.services.directory.user(dept.headUserId) : null;
            return `${dept.name} · 负责人 ${head?.name ?? '未设'} · 成员 ${(await d.members(dept.name)).length} 人`;
          }),
        );
        return `部门（${lines.length}）：\n${lines.join('\n')}`;
      }
    }
  },
};

export const checklistCommand: CommandSpec = {
  id: 'checklist',
  async handle(ctx) {
    const { sub, rest } = matchSub(ctx.args, { apply: ['应用', '套用', 'apply'], template: ['模板', 'template'] });
    if (sub === 'template') {
      const lines = DEFAULT_CHECKLIST.map((i) => `${i.title} · ${i.department} · 会前 ${i.beforeMs % 86_400_000 === 0 ? `${i.beforeMs / 86_400_000} 天` : `${i.beforeMs / 3_600_000} 小时`}`);
      return `默认准备清单（${lines.length} 项）：\n${lines.join('\n')}`;
    }
    if (sub === 'apply') {
      const meeting = await loadOwnMeeting(ctx, takeId(rest, '清单 应用 #1').id, '套用准备清单');
      const { created, skipped } = await ctx.services.checklists.apply(meeting, ctx.user.id, ctx.now);
      const lines = await Promise.all(created.map((t) => ctx.services.tasks.line(t, ctx.now)));
      return [
        `✅ 会议 #${meeting.id} 已生成 ${created.length} 项准备任务（已发给各部门负责人）${skipped.length ? `，已有 ${skipped.length} 项未重复生成` : ''}`,
        ...lines,
        `进度：清单 #${meeting.id}；未完成期间每天向组织者发送进度汇总`,
      ].join('\n');
    }
    const meeting = ctx.args ? await loadMeeting(ctx, takeId(ctx.args, '清单 #1').id) : await ctx.services.meetings.current(ctx.conversation.id, ctx.now);
    if (!meeting) throw new UsageError('请写会议编号');
    const report = await ctx.services.checklists.report(meeting.id, ctx.now);
    if (report.items.length === 0) return `会议 #${meeting.id} 还没有准备清单。生成：清单 应用 #${meeting.id}`;
    const items = await Promise.all(report.items.map(async (t) => {
      const mark = t.status === 'done' ? (t.doneAt! <= t.dueAt ? '✅' : '🟠') : t.dueAt <= ctx.now ? '🔴' : '⬜';
      return `${mark} ${await ctx.services.tasks.line(t, ctx.now)}`;
    }));
    return [`📋 会议 #${meeting.id}「${meeting.title}」准备清单`, ...ctx.services.checklists.summaryLines(report), ...items].join('\n');
  },
};
