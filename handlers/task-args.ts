/** Parsing `@某人|<部门> <内容> 截止 <时间> [优先级]`, creating the task, and task ids. */
import { priorityLabel } from '../cards/task-cards.js';
import { takeShortId } from './args.js';
import { type CommandContext, UsageError, UserError, msg } from '../src/router/types.js';
import { words } from '../src/i18n/vocabulary.js';
import type { UserRecord } from '../src/services/directory.js';
import type { TaskRow } from '../src/services/tasks.js';
import { parseTime } from '../src/time/parse-time.js';

const TITLE_MAX = 100;
const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
const PRIORITY_WORDS = new Map(PRIORITIES.flatMap((p) => words(`task.words.priority.${p}`).map((w) => [w.toLowerCase(), p] as const)));
const PRIORITY_PREFIX = words('task.words.priorityPrefix');
const DUE_WORDS = words('task.words.due');
const MEETING_WORDS = words('task.words.meeting');

export interface AssignmentSpec {
  title: string;
  assignee: UserRecord | null;
  department: string | null;
  dueAt: Date;
  priority: string;
  /** From `会议 #3` in the text; undefined: the group's current meeting. */
  meetingId?: number | null;
}

const isLatin = (word: string) => /^[a-z]/i.test(word);
const escape = (word: string) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The last place one of `list` occurs: anywhere for Chinese words, as a whole word for Latin ones. */
function lastWord(text: string, list: readonly string[]): { at: number; end: number } | null {
  let best: { at: number; end: number } | null = null;
  for (const word of list) {
    const re = isLatin(word) ? new RegExp(`(?<=^|\\s)${escape(word)}(?=$|\\s|[:：])`, 'gi') : new RegExp(escape(word), 'g');
    for (const m of text.matchAll(re)) {
      if (!best || m.index > best.at || (m.index === best.at && m.index + m[0].length > best.end)) best = { at: m.index, end: m.index + m[0].length };
    }
  }
  return best;
}

/** A priority word, also written `[高]`, `优先级 高`, `优先级：高`, `priority high`. */
function priorityOf(text: string): string | undefined {
  let word = text.trim().replace(/^[[【(（]|[\]】)）]$/g, '').trim();
  const prefix = PRIORITY_PREFIX.find((p) => word.toLowerCase().startsWith(p.toLowerCase()));
  if (prefix) word = word.slice(prefix.length).replace(/^[:：]?\s*/, '');
  return word ? PRIORITY_WORDS.get(word.toLowerCase()) : 'normal';
}

/** `[@某人 | <部门>] [<内容>] 截止 <时间> [优先级]`; the content is required unless `requireTitle` is false. */
export async function parseAssignment(ctx: CommandContext, text: string, requireTitle = true): Promise<AssignmentSpec> {
  const due = lastWord(text, DUE_WORDS);
  if (!due) throw new UsageError('E_TASK_DUE_MISSING');
  let head = text.slice(0, due.at).trim();
  const tail = text.slice(due.end).replace(/^[:：]?\s*/, '');
  const parsed = parseTime(tail, { now: ctx.now, timeZone: ctx.services.config.HUIWU_TIMEZONE });
  if (!parsed.ok) throw new UsageError(parsed.code, parsed.params);
  if (parsed.kind !== 'once') throw new UsageError('E_TASK_DUE_RECURRING');
  const priority = priorityOf(parsed.rest);
  if (!priority) throw new UsageError('E_TASK_DUE_EXTRA', { extra: parsed.rest.trim() });

  let meetingId: number | null | undefined;
  const meetingRef = new RegExp(`(?:^|\\s)(?:${MEETING_WORDS.map(escape).join('|')})\\s*#?(\\d+)(?=\\s|$)`, 'i').exec(head);
  if (meetingRef) {
    meetingId = Number(meetingRef[1]);
    if (!(await ctx.services.meetings.get(meetingId))) throw new UserError('E_TASK_MEETING_NOT_FOUND', { id: meetingId });
    head = (head.slice(0, meetingRef.index) + head.slice(meetingRef.index + meetingRef[0].length)).trim();
  }

  let assignee: UserRecord | null = ctx.mentions[0] ?? null;
  let department: string | null = null;
  if (!assignee) {
    const [first = '', ...rest] = head.split(' ');
    if (first && (await ctx.services.departments.byName(first))) {
      department = first;
      head = rest.join(' ').trim();
    } else {
      throw new UsageError('E_TASK_NO_ASSIGNEE');
    }
  }
  if (requireTitle && !head) throw new UsageError('E_TASK_TITLE_MISSING');
  if (head.length > TITLE_MAX) throw new UsageError('E_TASK_TITLE_TOO_LONG', { max: TITLE_MAX });
  return { title: head, assignee, department, dueAt: parsed.at, priority, ...(meetingId !== undefined ? { meetingId } : {}) };
}

/** Creates the task and returns the confirmation, in the requester's language. */
export async function createFromSpec(ctx: CommandContext, spec: AssignmentSpec & { incidentId?: number | null }): Promise<string> {
  const s = ctx.services;
  const { t } = ctx;
  const meetingId = spec.meetingId !== undefined ? spec.meetingId : ctx.conversation.type === 'group' ? ((await s.meetings.current(ctx.conversation.id, ctx.now))?.id ?? null) : null;
  const task = await s.tasks.create(
    {
      title: spec.title,
      creatorId: ctx.user.id,
      assigneeId: spec.assignee?.id ?? null,
      department: spec.department,
      meetingId,
      incidentId: spec.incidentId ?? null,
      conversationId: ctx.conversation.id,
      priority: spec.priority,
      dueAt: spec.dueAt,
    },
    ctx.now,
  );
  const view = await s.tasks.view(task);
  const reminders = t.list(s.config.HUIWU_TASK_REMINDERS.map((o) => (o.ms === 0 ? t.t('task.created.remindAtDue') : t.t('task.created.remindBefore', { offset: o.key }))));
  const department = task.department ? t.t(view.assignee ? 'task.created.deptHead' : 'task.created.deptNoHead', { department: task.department }) : '';
  return [
    t.t('task.created.title', { id: task.id, title: task.title, implicit: '' }),
    t.t('task.created.assignee', { assignee: view.assignee ?? t.t('task.unassigned'), department }),
    t.t('task.created.due', { due: task.dueAt, priority: priorityLabel(t, task.priority) }),
    ...(view.meeting ? [t.t('task.created.meeting', { meeting: view.meeting })] : []),
    t.t('task.created.footer', { cardSent: view.assignee ? t.t('task.created.cardSent') : '', reminders }),
  ].join('\n');
}

export function takeTaskId(args: string, sub?: string): { id: number; rest: string } {
  return takeShortId(args, msg('task.noun'), sub ? msg('task.example.change', { sub }) : msg('task.example.show'));
}

export async function loadTask(ctx: Pick<CommandContext, 'services'>, id: number): Promise<TaskRow> {
  const task = await ctx.services.tasks.get(id);
  if (!task) throw new UserError('E_TASK_NOT_FOUND', { id });
  return task;
}

/** A person named in a transfer: an @mention, a user id from the card's select, or a unique display name. */
export async function resolvePerson(ctx: Pick<CommandContext, 'services'>, platform: string, who: string): Promise<UserRecord> {
  const name = who.replace(/^@/, '').trim();
  if (!name) throw new UsageError('E_TASK_PERSON_MISSING');
  if (name.includes(':')) {
    const user = await ctx.services.directory.user(name);
    if (user) return user;
  }
  const found = await ctx.services.directory.usersByName(platform, name);
  if (found.length === 1) return found[0]!;
  throw new UserError(found.length === 0 ? 'E_TASK_PERSON_NOT_FOUND' : 'E_TASK_PERSON_AMBIGUOUS', { name, count: found.length });
}
