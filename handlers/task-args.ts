/** Parsing `@某人|<部门> <内容> 截止 <时间> [优先级] [会议 #N]`, creating the task, and task ids. */
import { priorityLabel } from '../cards/task-cards.js';
import { takeShortId, timeOptions } from './args.js';
import { parseShortId } from '../src/router/normalize.js';
import { type CommandContext, UsageError, UserError, msg } from '../src/router/types.js';
import { words } from '../src/i18n/vocabulary.js';
import type { UserRecord } from '../src/services/directory.js';
import { internalId, platformOfId } from '../src/services/ids.js';
import type { TaskRow } from '../src/services/tasks.js';
import { parseTime } from '../src/time/parse-time.js';

const TITLE_MAX = 100;
const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
const PRIORITY_WORDS = new Map(PRIORITIES.flatMap((p) => words(`task.words.priority.${p}`).map((w) => [w.toLowerCase(), p] as const)));
const PRIORITY_PREFIX = words('task.words.priorityPrefix');
const DUE_WORDS = words('task.words.due');
const MEETING_WORDS = words('task.words.meeting');
const SUPPLIER_WORDS = words('task.words.supplier');

export interface AssignmentSpec {
  title: string;
  assignee: UserRecord | null;
  department: string | null;
  dueAt: Date;
  priority: string;
  /** From `会议 #3` in the text; undefined: the group's current meeting. */
  meetingId?: number | null;
  /** From `供应商 某某酒店`: the supplier whose work it is (its scorecard counts it). */
  supplier?: string;
}

const isLatin = (word: string) => /^[a-z]/i.test(word);
const escape = (word: string) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const lower = (word: string) => word.toLowerCase();

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

/** A priority word, also written `[高]`, `【高】`, `优先级：高`, `priority:high`. */
function priorityOf(token: string): string | undefined {
  let word = token.replace(/^[[【(（]|[\]】)）]$/g, '');
  const prefix = PRIORITY_PREFIX.find((p) => lower(word).startsWith(lower(p)));
  if (prefix) word = word.slice(prefix.length).replace(/^[:：]/, '');
  return PRIORITY_WORDS.get(lower(word));
}

const isPriorityPrefix = (token: string) => PRIORITY_PREFIX.some((p) => lower(token.replace(/[:：]$/, '')) === lower(p));

/**
 * `会议 #3` / `会议#3` / `meeting 3` at `tokens[i]`: the meeting id and how many tokens it takes, or
 * null when `tokens[i]` is no meeting word. `strict`: the word must be followed by an id (after the
 * due time); otherwise only a `#…` or a number makes it a reference (`准备 会议 材料` is text).
 */
function meetingRefAt(tokens: readonly string[], i: number, strict: boolean): { id: number; used: number } | null {
  const token = tokens[i]!;
  const word = MEETING_WORDS.find((w) => lower(token).startsWith(lower(w)));
  if (!word) return null;
  const attached = token.slice(word.length);
  const ref = attached || tokens[i + 1];
  const looksLikeId = ref !== undefined && /^[#＃\d]/.test(ref);
  if (attached && !looksLikeId) return null; // a longer word that starts like 会议 (会议室)
  if (!looksLikeId && !strict) return null;
  const id = parseShortId(ref);
  if (id === null) {
    throw new UsageError('E_TASK_MEETING_ID', { token: ref ?? '', example: msg('task.example.meetingOption') });
  }
  return { id, used: attached ? 1 : 2 };
}

interface Options {
  priority?: string;
  meetingId?: number;
  supplier?: string;
}

/**
 * Takes each option (a priority word, `会议 #N`) out of `tokens` into `options`, once each; returns the
 * other tokens. Before the due word only a trailing priority counts (the rest is the task's text).
 */
function takeOptions(tokens: readonly string[], options: Options, where: 'head' | 'tail'): string[] {
  const rest: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (options.supplier === undefined && SUPPLIER_WORDS.includes(lower(token)) && tokens[i + 1] !== undefined) {
      options.supplier = tokens[i + 1]!;
      i++;
      continue;
    }
    if (options.meetingId === undefined) {
      const ref = meetingRefAt(tokens, i, where === 'tail');
      if (ref) {
        options.meetingId = ref.id;
        i += ref.used - 1;
        continue;
      }
    }
    if (options.priority === undefined && (where === 'tail' || i === tokens.length - 1)) {
      const priority = priorityOf(token);
      if (priority) {
        options.priority = priority;
        continue;
      }
      const next = tokens[i + 1];
      if (isPriorityPrefix(token) && next !== undefined && (where === 'tail' || i + 1 === tokens.length - 1) && priorityOf(next)) {
        options.priority = priorityOf(next);
        i++;
        continue;
      }
    }
    rest.push(token);
  }
  // `… 准备座签 高 优先级` is no priority, but `… 优先级 高` before the due word is.
  if (where === 'head' && options.priority === undefined && rest.length >= 2 && isPriorityPrefix(rest.at(-2)!) && priorityOf(rest.at(-1)!)) {
    options.priority = priorityOf(rest.pop()!);
    rest.pop();
  }
  return rest;
}

/**
 * `[@某人 | <部门>] [<内容>] <选项…>`: the options are `截止 <时间>` (required), a priority word and
 * `会议 #N`, in any order after the text. The content is required unless `requireTitle` is false.
 */
export async function parseAssignment(ctx: CommandContext, text: string, requireTitle = true): Promise<AssignmentSpec> {
  const due = lastWord(text, DUE_WORDS);
  if (!due) throw new UsageError('E_TASK_DUE_MISSING');
  const options: Options = {};
  const tail = takeOptions(text.slice(due.end).replace(/^[:：]/, '').split(/\s+/).filter(Boolean), options, 'tail');
  let head = takeOptions(text.slice(0, due.at).split(/\s+/).filter(Boolean), options, 'head').join(' ');

  const parsed = parseTime(tail.join(' '), timeOptions(ctx));
  if (!parsed.ok) throw new UsageError(parsed.code, parsed.params);
  if (parsed.kind !== 'once') throw new UsageError('E_TASK_DUE_RECURRING');
  if (parsed.rest.trim()) throw new UsageError('E_TASK_DUE_EXTRA', { extra: parsed.rest.trim() });
  if (options.meetingId !== undefined && !(await ctx.services.meetings.get(options.meetingId))) {
    throw new UserError('E_TASK_MEETING_NOT_FOUND', { id: options.meetingId });
  }

  let assignee: UserRecord | null = ctx.mentions[0] ?? null;
  let department: string | null = null;
  if (!assignee) {
    const [first = '', ...rest] = head.split(' ');
    if (first.startsWith('@')) {
      // Typed as text, not turned into a mention by the platform (`@zhangwei`): find the person.
      assignee = await resolvePerson(ctx, ctx.user, first);
      head = rest.join(' ').trim();
    } else if (first && (await ctx.services.departments.byName(first))) {
      department = first;
      head = rest.join(' ').trim();
    } else {
      throw new UsageError('E_TASK_NO_ASSIGNEE');
    }
  }
  if (requireTitle && !head) throw new UsageError('E_TASK_TITLE_MISSING');
  if (head.length > TITLE_MAX) throw new UsageError('E_TASK_TITLE_TOO_LONG', { max: TITLE_MAX });
  return {
    title: head,
    assignee,
    department,
    dueAt: parsed.at,
    priority: options.priority ?? 'normal',
    ...(options.meetingId !== undefined ? { meetingId: options.meetingId } : {}),
    ...(options.supplier !== undefined ? { supplier: options.supplier } : {}),
  };
}

/** Creates the task and returns the confirmation, in the requester's language. */
export async function createFromSpec(ctx: CommandContext, spec: AssignmentSpec & { incidentId?: number | null }): Promise<string> {
  const s = ctx.services;
  const { t } = ctx;
  // Without `会议 #N` a task in a group joins the group's single current meeting (the reply names
  // it); several candidates are refused by `current` and nothing is created.
  const implicit = spec.meetingId === undefined && ctx.conversation.type === 'group' ? await s.meetings.current(ctx.conversation.id, ctx.now) : null;
  const meetingId = spec.meetingId !== undefined ? spec.meetingId : (implicit?.id ?? null);
  const supplier = spec.supplier ? await s.suppliers.require(spec.supplier) : null;
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
      supplierId: supplier?.id ?? null,
    },
    ctx.now,
  );
  const view = await s.tasks.view(task);
  const reminders = t.list(s.config.HUIWU_TASK_REMINDERS.map((o) => (o.ms === 0 ? t.t('task.created.remindAtDue') : t.t('task.created.remindBefore', { offset: o.key }))));
  const department = task.department ? t.t(view.assignee ? 'task.created.deptHead' : 'task.created.deptNoHead', { department: task.department }) : '';
  return [
    t.t('task.created.title', { id: task.id, title: task.title, implicit: implicit ? t.t('meeting.implicitNote', { id: implicit.id, title: implicit.title }) : '' }),
    t.t('task.created.assignee', { assignee: view.assignee ?? t.t('task.unassigned'), department }),
    t.t('task.created.due', { due: task.dueAt, priority: priorityLabel(t, task.priority) }),
    ...(view.meeting && !implicit ? [t.t('task.created.meeting', { meeting: view.meeting })] : []),
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

/**
 * A person typed by hand (an assignee or a transfer): a user id from the card's select, a unique
 * display name, or their account on the platform (`@zhangwei`).
 */
export async function resolvePerson(ctx: Pick<CommandContext, 'services'>, requester: UserRecord, who: string): Promise<UserRecord> {
  const name = who.replace(/^@/, '').trim();
  if (!name) throw new UsageError('E_TASK_PERSON_MISSING');
  if (name.includes(':')) {
    const user = await ctx.services.directory.user(name);
    if (user) return user;
  }
  const found = await ctx.services.directory.usersByName(requester.platform, name);
  if (found.length === 1) return found[0]!;
  const account = found.length === 0 ? await ctx.services.directory.user(internalId(platformOfId(requester.id), name)) : null;
  if (account) return account;
  throw new UserError(found.length === 0 ? 'E_TASK_PERSON_NOT_FOUND' : 'E_TASK_PERSON_AMBIGUOUS', { name, count: found.length });
}
