/**
 * What changed in which meeting, for the console's live pages: listens to the domain events the
 * capabilities report (answers, check-ins, invitations, incidents, tasks, survey answers, the
 * meeting itself) and tells the pages watching that meeting, coalesced over a short window so a
 * burst of check-ins at the door is one refresh, not hundreds. Each change passes through `raw`,
 * which the app relays between instances (src/redis/relay.ts), so a page connected to one
 * instance hears the changes made on the others.
 */
import { EventEmitter } from 'node:events';
import type { DomainEvents } from './events.js';

declare module './services.js' {
  interface Services {
    consoleFeed: ConsoleFeed;
  }
}

export type ChangeKind = 'answers' | 'checkins' | 'incidents' | 'tasks' | 'survey' | 'meeting';
export type ChangeListener = (kinds: ChangeKind[]) => void;

export class ConsoleFeed {
  private readonly emitter = new EventEmitter();
  /** Every change as it happens (`change`: meetingId, kind), before coalescing. */
  readonly raw = new EventEmitter();
  private readonly pending = new Map<number, { kinds: Set<ChangeKind>; timer: NodeJS.Timeout }>();

  constructor(
    events: DomainEvents,
    /** How long changes of one meeting are gathered before the pages hear of them. */
    private readonly coalesceMs = 250,
  ) {
    this.emitter.setMaxListeners(0);
    this.raw.on('change', (meetingId: number, kind: ChangeKind) => this.coalesce(meetingId, kind));
    events.on('meeting.answered', async ({ meetingId }) => this.changed(meetingId, 'answers'));
    events.on('meeting.attendees-changed', async ({ meetingId }) => this.changed(meetingId, 'answers'));
    events.on('meeting.checked-in', async ({ meetingId }) => this.changed(meetingId, 'checkins'));
    events.on('incident.changed', async ({ meetingId }) => (meetingId === null ? undefined : this.changed(meetingId, 'incidents')));
    events.on('task.changed', async ({ meetingId }) => (meetingId === null ? undefined : this.changed(meetingId, 'tasks')));
    events.on('survey.answered', async ({ meetingId }) => this.changed(meetingId, 'survey'));
    events.on('meeting.schedule-changed', async ({ meetingId }) => this.changed(meetingId, 'meeting'));
  }

  /** Calls `listener` after changes to the meeting; returns the unsubscribe. */
  subscribe(meetingId: number, listener: ChangeListener): () => void {
    const name = `m${meetingId}`;
    this.emitter.on(name, listener);
    return () => this.emitter.off(name, listener);
  }

  changed(meetingId: number, kind: ChangeKind): void {
    this.raw.emit('change', meetingId, kind);
  }

  private coalesce(meetingId: number, kind: ChangeKind): void {
    const entry = this.pending.get(meetingId);
    if (entry) {
      entry.kinds.add(kind);
      return;
    }
    const timer = setTimeout(() => {
      const done = this.pending.get(meetingId);
      this.pending.delete(meetingId);
      if (done) this.emitter.emit(`m${meetingId}`, [...done.kinds]);
    }, this.coalesceMs);
    timer.unref();
    this.pending.set(meetingId, { kinds: new Set([kind]), timer });
  }
}
