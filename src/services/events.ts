/**
 * Domain events inside one process: a service reports a change, the services that care react,
 * subscribed in their constructors. It replaces callback fields set after construction and keeps
 * the dependency one-way (meetings do not know about executives' schedules). Listeners run in
 * order and are awaited, so the reporting call finishes once every reaction is queued.
 */
export interface DomainEventMap {
  /** A meeting was created, moved, got a new venue or was cancelled. */
  'meeting.schedule-changed': { meetingId: number };
  /** People were invited to a meeting or answered. */
  'meeting.attendees-changed': { meetingId: number; userIds: readonly string[] };
  /** Live counts moved (answers, meals, rooms, check-ins): linked budget lines follow them. */
  'meeting.counts-changed': { meetingId: number };
  /** Someone confirmed after check-in opened: they need their check-in card now. */
  'meeting.late-confirmation': { meetingId: number; attendeeId: number };
  /** An attendee's answer was recorded (by them or an organizer), with or without a platform account. */
  'meeting.answered': { meetingId: number; attendeeId: number };
  /** An attendee was checked in (once: a second tap reports nothing). */
  'meeting.checked-in': { meetingId: number; attendeeId: number };
  /** An incident was reported or changed (acknowledged, escalated, resolved, reopened, updated). */
  'incident.changed': { incidentId: number; meetingId: number | null };
  /** A task was created or changed (status, assignee, due time, overdue). */
  'task.changed': { taskId: number; meetingId: number | null };
  /** A survey answer was stored (no respondent: anonymous surveys must stay anonymous). */
  'survey.answered': { surveyId: number; meetingId: number };
  /** A survey stopped taking answers (closed by hand or at its deadline). */
  'survey.closed': { surveyId: number; meetingId: number };
  /** A meeting's budget lines, expenses or settlement changed (what blocks settlement may have too). */
  'budget.changed': { meetingId: number };
}

type Listener<E extends keyof DomainEventMap> = (event: DomainEventMap[E]) => Promise<unknown>;

export class DomainEvents {
  private readonly listeners = new Map<keyof DomainEventMap, Array<Listener<keyof DomainEventMap>>>();

  on<E extends keyof DomainEventMap>(name: E, listener: Listener<E>): void {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), listener as Listener<keyof DomainEventMap>]);
  }

  async emit<E extends keyof DomainEventMap>(name: E, event: DomainEventMap[E]): Promise<void> {
    for (const listener of this.listeners.get(name) ?? []) await listener(event);
  }
}
