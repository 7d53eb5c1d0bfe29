/** Ids of a meeting's per-attendee cards, shared by the meeting, RSVP and check-in services without importing each other. */
export function checkinCardId(meetingId: number, attendeeId: number): string {
  return `ci-m${meetingId}-a${attendeeId}`;
}

export function inviteCardId(meetingId: number, attendeeId: number): string {
  return `inv-m${meetingId}-a${attendeeId}`;
}
