/**
 * 日程 / schedule: executives' schedules. Manual entries (添加 / 列表 / 删除), assistants (助理),
 * an executive's role in a meeting (角色), a meeting's importance (重要性), and the conflict
 * alert's buttons (保留前者 / 保留后者 / 请助理协调) with their text fallback (冲突).
 */
import { SCHEDULE_ACTIONS, importanceText, itemLine, itemTitle } from '../cards/schedule-cards.js';
import { words } from '../src/i18n/vocabulary.js';
import { type CardActionSpec, type CommandContext, type CommandSpec, UsageError, UserError, msg } from '../src/router/types.js';
import type { UserRecord } from '../src/services/directory.js';
import type { Choice } from '../src/services/schedule-conflicts.js';
import { parseImportance, parseRole } from '../src/services/schedule-logic.js';
import { parseTimeRange } from '../src/time/parse-time.js';
import { matchSub, takeShortId, timeOptions } from './args.js';
import { loadOwnMeeting, takeId } from './meeting-args.js';
import type { Capability } from '../src/capability.js';
import { ScheduleService } from '../src/services/schedule.js';
import { ConflictService } from '../src/services/schedule-conflicts.js';

const SUB = {
  add: words('schedule.words.add'),
  list: words('schedule.words.list'),
  remove: words('schedule.words.delete'),
  assistant: words('schedule.words.assistant'),
  role: words('schedule.words.role'),
  importance: words('schedule.words.importance'),
  conflict: words('schedule.words.conflict'),
};
const UNLINK = words('schedule.words.unlink');

const LIST_DAYS = 7;
const MAX_TITLE = 60;

export const scheduleCommand: CommandSpec = {
  id: 'schedule',
  async handle(ctx) {
    const { sub, rest } = matchSub(ctx.args, SUB);
    switch (sub) {
      case 'add':
        return addEntry(ctx, rest);
      case 'list':
        return listSchedule(ctx);
      case 'remove':
        return removeEntry(ctx, rest);
      case 'assistant':
        return assistants(ctx, rest);
      case 'role':
        return setRole(ctx, rest);
      case 'importance':
        return setMeetingImportance(ctx, rest);
      case 'conflict':
        return conflictByText(ctx, rest);
      default:
        if (!ctx.args) return listSchedule(ctx);
        throw new UsageError('E_SCHEDULE_UNKNOWN_SUB', { word: ctx.args.split(' ')[0] });
    }
  },
};

/** The executive a command is about: the @mentioned one, oneself, or the one the assistant assists. */
async function targetExecutive(ctx: CommandContext): Promise<UserRecord> {
  const { schedule, directory } = ctx.services;
  let exec: UserRecord | null = ctx.mentions[0] ?? null;
  if (!exec && schedule.isExecutive(ctx.user)) exec = ctx.user;
  if (!exec) {
    const assisted = await schedule.executivesAssistedBy(ctx.user.id);
    if (assisted.length === 1) exec = await directory.user(assisted[0]!);
  }
  if (!exec) throw new UsageError('E_SCHEDULE_NEED_EXECUTIVE');
  if (!schedule.isExecutive(exec)) throw new UserError('E_SCHEDULE_NOT_EXECUTIVE', { name: exec.name });
  if (!(await schedule.mayManage(ctx.user, exec.id))) throw new UserError('E_SCHEDULE_NOT_MANAGER', { name: exec.name });
  return exec;
}

/** `<option word>[:：] <value>` anywhere in the text (`重要性 高`, `priority high`), and the text without it. */
function takeOption(text: string, optionKey: string, value: string): { value: string | null; rest: string } {
  const alternatives = words(optionKey).map(escapeRegExp).join('|');
  const re = new RegExp(`(?:^|\\s)(?:${alternatives})[:：]?\\s*(${value})(?=\\s|$)`, 'i');
  const m = re.exec(text);
  if (!m) return { value: null, rest: text };
  return { value: m[1]!.trim(), rest: `${text.slice(0, m.index)} ${text.slice(m.index + m[0].length)}`.trim() };
}

function escapeRegExp(word: string): string {
  return word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const IMPORTANCE_VALUES = ['high', 'medium', 'low'].flatMap((v) => words(`schedule.words.${v}`)).map(escapeRegExp).join('|');

async function addEntry(ctx: CommandContext, text: string): Promise<string> {
  const exec = await targetExecutive(ctx);
  const { schedule, conflicts, config } = ctx.services;
  const { t } = ctx;
  const imp = takeOption(text, 'schedule.words.importance', IMPORTANCE_VALUES);
  const importance = (imp.value && parseImportance(imp.value)) || 'medium';
  // The venue is the rest of the line after its word.
  const venueOption = takeOption(imp.rest, 'schedule.words.venue', '.+$');
  const venue = venueOption.value || null;
  const rest = venueOption.rest;
  if (!rest) throw new UsageError('E_SCHEDULE_MISSING_ALL');
  const range = parseTimeRange(rest, timeOptions(ctx));
  if (!range.ok) throw new UsageError(range.code, range.params);
  const title = range.rest.trim();
  if (!title) throw new UsageError('E_SCHEDULE_MISSING_TITLE');
  if (title.length > MAX_TITLE) throw new UsageError('E_SCHEDULE_TITLE_TOO_LONG', { max: MAX_TITLE });
  const entry = await schedule.addEntry({ userId: exec.id, title, startAt: range.start, endAt: range.end, venue, importance, createdBy: ctx.user.id });
  const clashes = await conflicts.preview(exec.id, `e${entry.id}`);
  await conflicts.enqueue(exec.id, `e${entry.id}`);
  const lines = [
    t.t('schedule.added', { name: exec.name, id: entry.id, title: entry.title }),
    t.t('schedule.addedTime', { time: conflicts.timeText({ start: entry.startAt, end: entry.endAt }) }),
    t.t('schedule.addedDetails', { venue: entry.venue ?? t.t('schedule.venueTbd'), importance: importanceText(t, importance) }),
  ];
  if (clashes.length > 0) {
    lines.push(t.t('schedule.addedClashes', { count: clashes.length, name: exec.name }));
    for (const c of clashes) lines.push(t.t('schedule.bullet', { text: conflicts.pairText(t, c) }));
  }
  return lines.join('\n');
}

async function listSchedule(ctx: CommandContext): Promise<string> {
  const exec = await targetExecutive(ctx);
  const { schedule, conflicts } = ctx.services;
  const { t } = ctx;
  const to = new Date(ctx.now.getTime() + LIST_DAYS * 86_400_000);
  const items = await schedule.itemsInWindow(exec.id, ctx.now, to);
  const live = await conflicts.live(exec.id);
  const lines = [t.t('schedule.listTitle', { name: exec.name, days: LIST_DAYS, count: items.length })];
  if (live.length > 0) {
    const titleOf = (key: string) => {
      const item = items.find((i) => i.key === key);
      return item ? itemTitle(t, item) : key;
    };
    const list = live.map((c) =>
      t.t('schedule.listConflict', { id: c.id, a: titleOf(c.itemA), b: titleOf(c.itemB), state: c.status === 'delegated' ? t.t('schedule.listDelegated') : '' }),
    );
    lines.push(t.t('schedule.listConflicts', { count: live.length, list: list.join(t.t('schedule.listConflictSeparator')) }));
  }
  for (const item of items) lines.push(t.t('schedule.listItem', { text: itemLine(t, item, (i) => conflicts.timeText(i)) }));
  if (items.length === 0) lines.push(t.t('schedule.listEmpty'));
  return lines.join('\n');
}

async function removeEntry(ctx: CommandContext, args: string): Promise<string> {
  const { id } = takeShortId(args, msg('schedule.noun'), msg('schedule.example.delete'));
  const { schedule, conflicts } = ctx.services;
  const entry = await schedule.entry(id);
  if (!entry) throw new UserError('E_SCHEDULE_ENTRY_NOT_FOUND', { id });
  if (!(await schedule.mayManage(ctx.user, entry.userId))) throw new UserError('E_SCHEDULE_ENTRY_NOT_YOURS', { id });
  await schedule.deleteEntry(entry);
  await conflicts.enqueue(entry.userId, `e${id}`);
  return ctx.t.t('schedule.deleted', { id, title: entry.title });
}

async function assistants(ctx: CommandContext, args: string): Promise<string> {
  const { schedule, directory } = ctx.services;
  const { t } = ctx;
  const removing = UNLINK.includes((args.split(' ')[0] ?? '').toLowerCase());
  const names = async (ids: string[]) => (await directory.usersByIds(ids)).map((u) => u.name);
  if (ctx.mentions.length === 0) {
    const lines: string[] = [];
    for (const execId of await schedule.executiveIds()) {
      const helpers = await names(await schedule.assistantsOf(execId));
      lines.push(t.t('schedule.assistantsLine', { name: await schedule.name(execId), assistants: t.list(helpers) || t.t('schedule.assistantsUnset') }));
    }
    return lines.length ? t.t('schedule.assistantsTitle', { lines: lines.join('\n') }) : t.t('schedule.noExecutives');
  }
  if (!ctx.user.roles.includes('admin') && !ctx.user.roles.includes('organizer')) throw new UserError('E_SCHEDULE_ASSISTANT_ORGANIZER_ONLY');
  const [exec, ...helpers] = ctx.mentions;
  if (!schedule.isExecutive(exec!)) throw new UserError('E_SCHEDULE_NOT_EXECUTIVE_ROLE', { name: exec!.name });
  if (helpers.length === 0) throw new UsageError('E_SCHEDULE_ASSISTANT_MISSING');
  const changed: string[] = [];
  for (const h of helpers) {
    if (h.id === exec!.id) continue;
    if (removing ? await schedule.unlink(exec!.id, h.id) : await schedule.link(exec!.id, h.id, ctx.user.id)) changed.push(h.name);
  }
  const now = t.list(await names(await schedule.assistantsOf(exec!.id))) || t.t('schedule.nobody');
  return t.t(removing ? 'schedule.assistantsRemoved' : 'schedule.assistantsSet', { name: exec!.name, changed: t.list(changed) || t.t('schedule.unchanged'), now });
}

async function setRole(ctx: CommandContext, args: string): Promise<string> {
  const { t } = ctx;
  const { id, rest } = takeId(args, 'schedule.example.role');
  const meeting = await loadOwnMeeting(ctx, id, 'schedule.verb.role');
  const person = ctx.mentions[0];
  const role = parseRole(rest.split(' ').find(Boolean) ?? '');
  if (!person || !role) throw new UsageError('E_SCHEDULE_ROLE_MISSING');
  const attendee = await ctx.services.rsvp.attendeeFor(meeting.id, person.id);
  if (!attendee) throw new UserError('E_SCHEDULE_NOT_INVITED', { name: person.name, id });
  await ctx.services.rsvp.setRole(attendee.id, role);
  await ctx.services.conflicts.attendeesChanged(meeting.id, [person.id]);
  return t.t('schedule.roleSet', { name: person.name, id, title: meeting.title, role: t.t(`schedule.role.${role}`) });
}

/** `会议 重要性 #1 高` and `日程 重要性 #1 高`: organizers set a meeting's importance. */
export async function setMeetingImportance(ctx: CommandContext, args: string): Promise<string> {
  const { t } = ctx;
  const { id, rest } = takeId(args, 'schedule.example.importance');
  const meeting = await loadOwnMeeting(ctx, id, 'schedule.verb.importance');
  const importance = parseImportance(rest.split(' ')[0] ?? '');
  if (!importance) throw new UsageError('E_SCHEDULE_IMPORTANCE_MISSING');
  await ctx.services.meetings.setImportance(id, importance);
  await ctx.services.conflicts.meetingChanged(id);
  return t.t('schedule.importanceSet', { id, title: meeting.title, importance: importanceText(t, importance) });
}

const CHOICES: Array<[Choice, string[]]> = [
  ['keep-first', words('schedule.words.first')],
  ['keep-second', words('schedule.words.second')],
  ['assistant', words('schedule.words.delegate')],
];

async function conflictByText(ctx: CommandContext, args: string): Promise<string> {
  const { id, rest } = takeShortId(args, msg('schedule.conflictNoun'), msg('schedule.example.conflict'));
  const word = (rest.split(' ')[0] ?? '').toLowerCase();
  const choice = CHOICES.find(([, list]) => list.some((w) => w.toLowerCase() === word))?.[0];
  if (!choice) throw new UsageError('E_SCHEDULE_CHOICE_MISSING');
  return ctx.t.t('schedule.chosen', { message: await ctx.services.conflicts.choose(id, choice, ctx.user, ctx.now, ctx.t) });
}

function choiceAction(key: string, choice: Choice): CardActionSpec {
  return {
    key,
    async handle({ card, user, services, now, t }) {
      const message = await services.conflicts.choose(Number(card.refId), choice, user, now, t);
      return { accepted: true, message };
    },
  };
}

export const scheduleActions: CardActionSpec[] = [
  choiceAction(SCHEDULE_ACTIONS.keepFirst, 'keep-first'),
  choiceAction(SCHEDULE_ACTIONS.keepSecond, 'keep-second'),
  choiceAction(SCHEDULE_ACTIONS.delegate, 'assistant'),
];

/** Executives' schedules: the schedule and conflict services, the command and conflict cards, checks and the morning digest. */
export const schedule: Capability = {
  name: 'schedule',
  services: (s) => {
    const schedule = new ScheduleService(s.db, s.directory, s.calendar, s.config);
    return { schedule, conflicts: new ConflictService(s.db, s.events, s.scheduler, s.cards, s.outbox, s.locales, schedule, s.meetings, s.config, s.log) };
  },
  commands: [scheduleCommand],
  cardActions: scheduleActions,
  jobs: {
    'schedule.check': async (s, data) => `clashes ${await s.conflicts.check(data.executiveId, data.item)}`,
    'schedule.digest': async (s, _data, job) => `digests ${await s.conflicts.digest(new Date(job.processedOn ?? Date.now()))}`,
  },
  start: (s) => s.conflicts.startDigest(),
};
