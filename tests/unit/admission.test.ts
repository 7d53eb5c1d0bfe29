/** Admission codes: what a forged, expired, other-meeting or tampered code looks like to the verifier. */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { admissionPng, phoneTailHash, RosterSigner, signAdmission, tagOf, verifyAdmission } from '../../src/services/admission.js';

const key = randomBytes(32);
const now = new Date('2026-05-01T09:00:00Z');
const claims = { meetingId: 7, attendeeId: 1234, version: 2, expiresAt: new Date('2026-05-02T00:00:00Z') };

describe('admission codes', () => {
  it('round-trip the meeting, attendee, version and expiry, and carry no personal data', () => {
    const code = signAdmission(key, claims);
    expect(code).toMatch(/^HW1[A-Za-z0-9_-]{42}$/);
    const result = verifyAdmission(key, code, now);
    expect(result).toEqual({ ok: true, claims, tag: tagOf(code) });
  });

  it('are refused once expired', () => {
    const code = signAdmission(key, claims);
    expect(verifyAdmission(key, code, new Date('2026-05-02T00:00:00Z'))).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('are forged when any byte is changed, when signed with another key, or when malformed', () => {
    const code = signAdmission(key, claims);
    // Every position of the text changed to another base64url character.
    for (let i = 3; i < code.length; i++) {
      const swapped = code.slice(0, i) + (code[i] === 'A' ? 'B' : 'A') + code.slice(i + 1);
      expect(verifyAdmission(key, swapped, now), `position ${i}`).toMatchObject({ ok: false, reason: 'forged' });
    }
    expect(verifyAdmission(randomBytes(32), code, now)).toMatchObject({ ok: false, reason: 'forged' });
    for (const bad of ['', 'HW1', 'hello', `${code}A`, code.slice(0, -1), `HW2${code.slice(3)}`, `${code.slice(0, 10)}*${code.slice(11)}`]) {
      expect(verifyAdmission(key, bad, now), bad).toMatchObject({ ok: false, reason: 'forged' });
    }
  });

  it('name their own meeting and version: the caller refuses another meeting and a revoked version', () => {
    const other = verifyAdmission(key, signAdmission(key, { ...claims, meetingId: 8 }), now);
    expect(other.ok && other.claims.meetingId).toBe(8);
    const older = verifyAdmission(key, signAdmission(key, { ...claims, version: 1 }), now);
    expect(older.ok && older.claims.version).toBe(1);
    // Different versions give different tags: the offline roster tells them apart.
    expect(tagOf(signAdmission(key, claims))).not.toBe(tagOf(signAdmission(key, { ...claims, version: 3 })));
  });

  it('render as a PNG QR code', async () => {
    const png = await admissionPng(signAdmission(key, claims));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.length).toBeGreaterThan(200);
  });

  it('phone-tail hashes are keyed and per meeting', () => {
    expect(phoneTailHash(key, 7, '5678')).toBe(phoneTailHash(key, 7, '5678'));
    expect(phoneTailHash(key, 7, '5678')).not.toBe(phoneTailHash(key, 8, '5678'));
    expect(phoneTailHash(key, 7, '5678')).not.toBe(phoneTailHash(randomBytes(32), 7, '5678'));
  });

  it('roster signatures: the same key signs alike on every instance, a changed roster or another key fails', () => {
    const a = new RosterSigner(key);
    const b = new RosterSigner(key);
    const body = JSON.stringify({ entries: [{ a: 1, name: '张*' }] });
    const sig = a.sign(body);
    expect(b.publicJwk).toEqual(a.publicJwk);
    expect(b.verify(body, sig)).toBe(true);
    expect(a.verify(body.replace('张', '王'), sig)).toBe(false);
    expect(new RosterSigner(randomBytes(32)).verify(body, sig)).toBe(false);
  });
});
