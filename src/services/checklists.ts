/**
 * Preparation checklists: a template of the usual stages, each with a default department and a due
 * offset before the meeting, applied to a meeting as department tasks. The preparation completion
 * rate is items done on time / items due (due time passed, or done), overall and per department,
 * against the target (98 %). While items are open, organizers get a daily digest (a BullMQ job
 * scheduler per meeting, removed once nothing is open or the meeting is over).
 */
import type { Config } from '../config.js';
import type { PrismaClient } from '../db/client.js';
import { UserError } from '../errors.js';
import { PRIORITY, jobIdPart } from '../queue/queues.js';
import type { MeetingRow, MeetingService } from './meetings.js';
import type { Outbox } from './outbox.js';
import type { Scheduler } from './scheduler.js';
import { OPEN_TASK } from './task-status.js';
import type { TaskRow, TaskService } from './tasks.js';

export interface ChecklistItemTemplate {
  key: string;
  title: string;
  department: string;
  /** Due this long before the meeting starts, in ms. */
  beforeMs: number;
}

const H = 3_600_000;
const D = 24 * H;

/** The default template, from the usual stages of preparing a meeting. */
export const DEFAULT_CHECKLIST: readonly ChecklistItemTemplate[] = [
  { key: 'venue', title: '场地确认与布置方案', department: '行政部', beforeMs: 7 * D },
  { key: 'registration', title: '报名与参会确认', department: '行政部', beforeMs: 5 * D },
  { key: 'materials', title: '会议材料准备与印刷', department: '行政部', beforeMs: 3 * D },
  { key: 'catering', title: '餐饮安排与费用确认', department: '财务部', beforeMs: 2 * D },
  { key: 'equipment', title: '音视频设备调试', department: '信息技术部', beforeMs: 1 * D },
  { key: 'transport', title: '交通接送安排', department: '行政部', beforeMs: 1 * D },
  { key: 'staffing', title: '现场人员分工与签到台', department: '行政部', beforeMs: 4 * H },
];

export interface RateLine {
  due: number;
  onTime: number;
  /** null when nothing is due yet. */
  rate: number | null;
}

export interface ChecklistReport extends RateLine {
  items: TaskRow[];
  late: number;
  overdueOpen: number;
  notDue: number;
  byDepartment: Array<RateLine & { department: string }>;
  target: number;
}

export const digestSchedulerId = (meetingId: number) => `checklist-digest-${meetingId}`;

export class ChecklistService {
  constructor(
    private readonly db: PrismaClient,
    private readonly tasks: TaskService,
    private readonly meetings: MeetingService,
    private readonly scheduler: Scheduler,
    private readonly outbox: Outbox,
    private readonly config: Config,
  ) {}

  /** Creates the template's items as department tasks (items already on the meeting are kept as they are). */
  async apply(meeting: MeetingRow, creatorId: string, now: Date, template: readonly ChecklistItemTemplate[] = DEFAULT_CHECKLIST): Promise<{ created: TaskRow[]; skipped: string[] }> {
    if (meeting.status !== 'scheduled') throw new UserError(`会议 #${meeting.id} 已取消`);
    const existing = new Set((await this.items(meeting.id)).map((t) => t.checklistKey));
    const created: TaskRow[] = [];
    const skipped: string[] = [];
    for (const item of template) {
      if (existing.has(item.key)) {
        skipped.push(item.title);
        continue;
      }
      // A stage whose usual due time has passed is due soon instead (never after the start).
      const usual = meeting.startAt.getTime() - item.beforeMs;
      const due = usual > now.getTime() ? usual : Math.min(meeting.startAt.getTime(), now.getTime() + H);
      created.push(
        await this.tasks.create(
          { title: item.title, creatorId, department: item.department, meetingId: meeting.id, conversationId: meeting.conversationId, priority: 'normal', dueAt: new Date(due), checklistKey: item.key },
          now,
        ),
      );
    }
    await this.scheduler.recurring('checklist.digest', digestSchedulerId(meeting.id), this.config.HUIWU_CHECKLIST_DIGEST_CRON, this.config.HUIWU_TIMEZONE, { meetingId: meeting.id });
    return { created, skipped };
  }

  async items(meetingId: number): Promise<TaskRow[]> {
    return this.db.task.findMany({ where: { meetingId, checklistKey: { not: null }, status: { not: 'cancelled' } }, orderBy: [{ dueAt: 'asc' }, { id: 'asc' }] });
  }

  async report(meetingId: number, now: Date): Promise<ChecklistReport> {
    const items = await this.items(meetingId);
    const counted = (t: TaskRow) => t.status === 'done' || t.dueAt <= now;
    const onTime = (t: TaskRow) => t.status === 'done' && t.doneAt !== null && t.doneAt <= t.dueAt;
    const rateOf = (list: TaskRow[]): RateLine => {
      const due = list.filter(counted);
      const ok = due.filter(onTime).length;
      return { due: due.length, onTime: ok, rate: due.length === 0 ? null : ok / due.length };
    };
    const departments = [...new Set(items.map((t) => t.department ?? '未分配'))];
    return {
      ...rateOf(items),
      items,
      late: items.filter((t) => t.status === 'done' && !onTime(t)).length,
      overdueOpen: items.filter((t) => OPEN_TASK.includes(t.status) && t.dueAt <= now).length,
      notDue: items.filter((t) => !counted(t)).length,
      byDepartment: departments.map((department) => ({ department, ...rateOf(items.filter((t) => (t.department ?? '未分配') === department)) })),
      target: this.config.HUIWU_PREP_TARGET_PERCENT,
    };
  }

  /** `准备完成率 66.7%（2/3 项按时完成，目标 98%）❌` and one line per department. */
  summaryLines(report: ChecklistReport): string[] {
    const pct = (r: number | null) => (r === null ? '—' : `${Math.round(r * 1000) / 10}%`);
    const mark = report.rate === null ? '' : report.rate * 100 >= report.target ? ' ✅' : ' ❌ 未达标';
    return [
      `准备完成率 ${pct(report.rate)}（${report.onTime}/${report.due} 项按时完成，目标 ${report.target}%）${mark}`,
      `逾期完成 ${report.late} · 逾期未完成 ${report.overdueOpen} · 未到期 ${report.notDue}`,
      `按部门：${report.byDepartment.map((d) => `${d.department} ${pct(d.rate)}（${d.onTime}/${d.due}）`).join(' · ')}`,
    ];
  }

  /** The daily digest to the organizers; stops itself once nothing is open or the meeting is over. */
  async digest(meetingId: number, occurrence: string, now: Date): Promise<string> {
    const meeting = await this.meetings.get(meetingId);
    const report = meeting ? await this.report(meetingId, now) : null;
    const open = report?.items.filter((t) => OPEN_TASK.includes(t.status)) ?? [];
    if (!meeting || !report || meeting.status !== 'scheduled' || meeting.startAt <= now || open.length === 0) {
      await this.scheduler.removeRecurring(digestSchedulerId(meetingId));
      return 'stopped';
    }
    const lines = await Promise.all(open.slice(0, 20).map((t) => this.tasks.line(t, now)));
    const text = [`📋 会议 #${meeting.id}「${meeting.title}」准备进度（${open.length} 项未完成）`, ...this.summaryLines(report), ...lines, `详情：清单 #${meeting.id}`].join('\n');
    await this.outbox.enqueueMany(
      this.meetings.organizerIds(meeting).map((userId) => ({
        id: `checklist-digest-m${meetingId}-${jobIdPart(occurrence)}-${jobIdPart(userId)}`,
        target: { kind: 'user' as const, userId },
        content: { type: 'text' as const, text },
        priority: PRIORITY.normal,
      })),
    );
    return `digest to ${this.meetings.organizerIds(meeting).length}`;
  }
}
