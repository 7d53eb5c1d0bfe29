/**
 * 部门 / dept: departments, heads and members (organizers and admins change them).
 * 清单 / checklist: apply the preparation checklist to a meeting and show its completion rate.
 */
import { words } from '../src/i18n/vocabulary.js';
import { type CommandContext, type CommandSpec, UsageError, UserError, msg } from '../src/router/types.js';
import { DEFAULT_CHECKLIST } from '../src/services/checklists.js';
import type { MeetingRow } from '../src/services/meetings.js';
import { matchSub, takeShortId } from './args.js';
import type { Capability } from '../src/capability.js';
import { DepartmentService } from '../src/services/departments.js';

const DEPARTMENT_SUB = {
  list: words('department.words.list'),
  create: words('department.words.create'),
  head: words('department.words.head'),
  members: words('department.words.members'),
};
const CHECKLIST_SUB = { apply: words('checklist.words.apply'), template: words('checklist.words.template') };

function requireManager(ctx: CommandContext): void {
  if (!ctx.user.roles.some((r) => r === 'organizer' || r === 'admin')) throw new UserError('E_DEPT_MANAGER_ONLY');
}

export const departmentCommand: CommandSpec = {
  id: 'department',
  async handle(ctx) {
    const d = ctx.services.departments;
    const { t } = ctx;
    const { sub, rest } = matchSub(ctx.args, DEPARTMENT_SUB);
    const name = rest.split(' ')[0] ?? '';
    switch (sub) {
      case 'create': {
        requireManager(ctx);
        if (!name) throw new UsageError('E_DEPT_NAME_MISSING');
        const head = ctx.mentions[0];
        await d.create(name, head?.id ?? null);
        return t.t('department.created', { name, head: head ? t.t('department.createdHead', { name: head.name }) : '' });
      }
      case 'head':
        requireManager(ctx);
        if (!name || ctx.mentions.length !== 1) throw new UsageError('E_DEPT_HEAD_USAGE');
        await d.setHead(name, ctx.mentions[0]!.id);
        return t.t('department.headSet', { department: name, name: ctx.mentions[0]!.name });
      case 'members': {
        requireManager(ctx);
        if (!name || ctx.mentions.length === 0) throw new UsageError('E_DEPT_MEMBERS_USAGE');
        await d.addMembers(name, ctx.mentions.map((m) => m.id));
        return t.t('department.membersAdded', { names: t.list(ctx.mentions.map((m) => m.name)), department: name });
      }
      case 'list':
      case null: {
        if (sub === null && ctx.args) {
          const dept = await d.require(ctx.args);
          const members = await d.members(dept.name);
          const head = members.find((m) => m.id === dept.headUserId);
          return t.t('department.detail', {
            name: dept.name,
            head: head?.name ?? t.t('department.noHead'),
            count: members.length,
            members: members.length ? t.list(members.map((m) => m.name)) : t.t('common.none'),
          });
        }
        const lines = await Promise.all(
          (await d.list()).map(async (dept) => {
            const head = dept.headUserId ? await ctx.services.directory.user(dept.headUserId) : null;
            return t.t('department.line', { name: dept.name, head: head?.name ?? t.t('department.noHead'), count: (await d.members(dept.name)).length });
          }),
        );
        return t.t('department.list', { count: lines.length, lines: lines.join('\n') });
      }
    }
  },
};

const takeMeetingId = (args: string, example: 'apply' | 'show') => takeShortId(args, msg('checklist.noun'), msg(`checklist.example.${example}`)).id;

async function loadMeeting(ctx: CommandContext, id: number): Promise<MeetingRow> {
  const meeting = await ctx.services.meetings.get(id);
  if (!meeting) throw new UserError('E_CHECKLIST_MEETING_NOT_FOUND', { id });
  return meeting;
}

/** Only the meeting's organizers (and admins) apply its checklist. */
async function loadOwnMeeting(ctx: CommandContext, id: number): Promise<MeetingRow> {
  const meeting = await loadMeeting(ctx, id);
  if (!ctx.services.meetings.isOrganizer(meeting, ctx.user)) {
    throw new UserError('E_CHECKLIST_NOT_ORGANIZER', { id, organizers: (await ctx.services.meetings.view(meeting)).organizers });
  }
  if (meeting.status === 'cancelled') throw new UserError('E_CHECKLIST_MEETING_CANCELLED', { id });
  return meeting;
}

export const checklistCommand: CommandSpec = {
  id: 'checklist',
  async handle(ctx) {
    const { t } = ctx;
    const { sub, rest } = matchSub(ctx.args, CHECKLIST_SUB);
    if (sub === 'template') {
      const lines = DEFAULT_CHECKLIST.map((i) =>
        t.t('checklist.templateLine', {
          title: t.t(`checklist.items.${i.key}`),
          department: i.department,
          before: i.beforeMs % 86_400_000 === 0 ? t.t('checklist.days', { count: i.beforeMs / 86_400_000 }) : t.t('common.duration.hours', { count: i.beforeMs / 3_600_000 }),
        }),
      );
      return t.t('checklist.template', { count: lines.length, lines: lines.join('\n') });
    }
    if (sub === 'apply') {
      const meeting = await loadOwnMeeting(ctx, takeMeetingId(rest, 'apply'));
      const { created, skipped } = await ctx.services.checklists.apply(meeting, ctx.user.id, ctx.now, t);
      const lines = await Promise.all(created.map((task) => ctx.services.tasks.line(t, task, ctx.now)));
      return [
        t.t('checklist.applied', { id: meeting.id, count: created.length, skipped: skipped.length ? t.t('checklist.appliedSkipped', { count: skipped.length }) : '' }),
        ...lines,
        t.t('checklist.appliedFooter', { id: meeting.id }),
      ].join('\n');
    }
    const meeting = ctx.args ? await loadMeeting(ctx, takeMeetingId(ctx.args, 'show')) : await ctx.services.meetings.current(ctx.conversation.id, ctx.now);
    if (!meeting) throw new UsageError('E_CHECKLIST_MEETING_MISSING');
    const report = await ctx.services.checklists.report(meeting.id, ctx.now);
    if (report.items.length === 0) return t.t('checklist.none', { id: meeting.id });
    const items = await Promise.all(
      report.items.map(async (task) => {
        const mark = task.status === 'done' ? (task.doneAt! <= task.dueAt ? '✅' : '🟠') : task.dueAt <= ctx.now ? '🔴' : '⬜';
        return `${mark} ${await ctx.services.tasks.line(t, task, ctx.now)}`;
      }),
    );
    return [t.t('checklist.title', { id: meeting.id, title: meeting.title }), ...ctx.services.checklists.summaryLines(t, report), ...items].join('\n');
  },
};

/** Departments (heads and members) and preparation checklists. */
export const departments: Capability = {
  name: 'departments',
  services: (s) => ({ departments: new DepartmentService(s.db, s.directory) }),
  commands: [departmentCommand, checklistCommand],
};
