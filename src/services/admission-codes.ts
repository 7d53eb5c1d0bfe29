/**
 * Each confirmed attendee's admission code and its QR image on their cards (the confirmation and
 * the check-in card). A code is valid while the attendee's answer is 参加 and its version is the
 * current one: re-issuing bumps the version (the old code is revoked), a changed answer removes
 * the picture and the door refuses the code as cancelled.
 */
import type { CardImage } from '../../cards/model.js';
import { findInSlices } from '../db/in-slices.js';
import type { PrismaClient } from '../db/client.js';
import type { Translator } from '../i18n/translator.js';
import { PRIORITY } from '../queue/queues.js';
import { admissionPng, signAdmission, tagOf } from './admission.js';
import type { CardService } from './cards.js';
import type { DomainEvents } from './events.js';
import { checkinCardId, inviteCardId } from './meeting-card-ids.js';
import type { MediaStore } from './media.js';
import type { MeetingRow, MeetingService } from './meetings.js';

type AttendeeRow = NonNullable<Awaited<ReturnType<PrismaClient['attendee']['findUnique']>>>;

declare module './services.js' {
  interface Services {
    admission: AdmissionCodes;
  }
}

/** Codes stay valid this long after the meeting ends (a late dinner, a second day without re-issuing). */
const VALID_AFTER_END_MS = 30 * 24 * 3600_000;

export class AdmissionCodes {
  constructor(
    private readonly db: PrismaClient,
    events: DomainEvents,
    private readonly meetings: MeetingService,
    private readonly cards: CardService,
    private readonly media: MediaStore,
    private readonly key: Buffer,
  ) {
    // An answer changed: a confirmation gets its code on the card, anything else loses it.
    events.on('meeting.attendees-changed', async ({ meetingId, userIds }) => {
      if (userIds.length === 0) return;
      // Fresh invitations are all unanswered: they hold no code and their cards need nothing.
      const rows = await findInSlices(userIds, (slice) => this.db.attendee.findMany({ where: { meetingId, userId: { in: slice }, response: { not: 'pending' } } }));
      if (rows.length === 0) return;
      const meeting = await this.meetings.get(meetingId);
      if (!meeting) return;
      for (const row of rows) await this.refreshCards(meeting, row);
    });
  }

  codeFor(meeting: MeetingRow, attendee: Pick<AttendeeRow, 'id' | 'admissionVersion'>): string {
    const expiresAt = new Date(this.meetings.endsAt(meeting).getTime() + VALID_AFTER_END_MS);
    return signAdmission(this.key, { meetingId: meeting.id, attendeeId: attendee.id, version: attendee.admissionVersion, expiresAt });
  }

  /** The tag of the attendee's current code (what the offline roster lists). */
  tagFor(meeting: MeetingRow, attendee: Pick<AttendeeRow, 'id' | 'admissionVersion'>): string {
    return tagOf(this.codeFor(meeting, attendee));
  }

  /** The QR picture of the attendee's current code, stored once per code. */
  async image(meeting: MeetingRow, attendee: AttendeeRow, t: Translator): Promise<CardImage> {
    const mediaId = await this.media.putPng(await admissionPng(this.codeFor(meeting, attendee)));
    return { mediaId, alt: t.t('door.code.alt', { id: meeting.id }) };
  }

  /** Whether the attendee should carry a code now. */
  holdsCode(meeting: MeetingRow, attendee: AttendeeRow): boolean {
    return meeting.status === 'scheduled' && attendee.response === 'yes';
  }

  /** Revokes the current code and puts a new one on the cards; returns the new version. */
  async reissue(meeting: MeetingRow, attendee: AttendeeRow): Promise<AttendeeRow> {
    const updated = await this.db.attendee.update({ where: { id: attendee.id }, data: { admissionVersion: { increment: 1 } } });
    await this.refreshCards(meeting, updated);
    return updated;
  }

  /** The picture the attendee's cards should carry now: their current code, or none. */
  async imageIfHeld(meeting: MeetingRow, attendee: AttendeeRow, t: Translator): Promise<CardImage | undefined> {
    return this.holdsCode(meeting, attendee) ? this.image(meeting, attendee, t) : undefined;
  }

  /** Puts the current code on the attendee's cards, or takes it off when they hold none (no update when nothing changes). */
  async refreshCards(meeting: MeetingRow, attendee: AttendeeRow): Promise<void> {
    const holds = this.holdsCode(meeting, attendee);
    for (const cardId of [inviteCardId(meeting.id, attendee.id), checkinCardId(meeting.id, attendee.id)]) {
      const card = await this.cards.get(cardId);
      if (!card) continue;
      if (!holds) {
        if (card.model.image) await this.cards.update(cardId, ({ image: _gone, ...rest }) => rest, PRIORITY.interactive);
        continue;
      }
      const mediaId = await this.media.putPng(await admissionPng(this.codeFor(meeting, attendee)));
      if (card.model.image?.mediaId === mediaId) continue;
      await this.cards.update(cardId, (c, t) => ({ ...c, image: { mediaId, alt: t.t('door.code.alt', { id: meeting.id }) } }), PRIORITY.interactive);
    }
  }
}
