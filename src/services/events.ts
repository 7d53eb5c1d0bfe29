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
