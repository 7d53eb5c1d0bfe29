/**
 * Admission codes: the personal QR code at the door. A code is a signed token of the meeting, the
 * attendee and the code's version, with an expiry; it carries no personal data. HMAC-SHA256 with
 * the admission key (src/secrets.ts), cut to 128 bits, keeps the QR code small enough for any
 * phone camera. Re-issuing bumps the version, which revokes every older code.
 *
 * Layout (big-endian) before base64url: format 1 byte, meeting u32, attendee u32, version u16,
 * expiry u32 (minutes since the epoch), MAC 16 bytes; text form `HW1` + base64url.
 */
import { type KeyObject, createECDH, createHmac, createPrivateKey, createPublicKey, hkdfSync, sign, timingSafeEqual, verify } from 'node:crypto';

export const CODE_PREFIX = 'HW1';
const FORMAT = 1;
const BODY = 15;
const MAC = 16;

export interface AdmissionClaims {
  meetingId: number;
  attendeeId: number;
  version: number;
  expiresAt: Date;
}

export type Verification = { ok: true; claims: AdmissionClaims; tag: string } | { ok: false; reason: 'forged' | 'expired'; claims?: AdmissionClaims };

function mac(key: Buffer, body: Buffer): Buffer {
  return createHmac('sha256', key).update(body).digest().subarray(0, MAC);
}

export function signAdmission(key: Buffer, claims: AdmissionClaims): string {
  const body = Buffer.alloc(BODY);
  body.writeUInt8(FORMAT, 0);
  body.writeUInt32BE(claims.meetingId, 1);
  body.writeUInt32BE(claims.attendeeId, 5);
  body.writeUInt16BE(claims.version & 0xffff, 9);
  body.writeUInt32BE(Math.ceil(claims.expiresAt.getTime() / 60_000), 11);
  return CODE_PREFIX + Buffer.concat([body, mac(key, body)]).toString('base64url');
}

/** The MAC part of a code: what the offline roster lists, so a device can match codes without the key. */
export function tagOf(code: string): string {
  return code.slice(-22);
}

/** Checks the signature and the expiry; the caller checks meeting, version (revocation) and the answer. */
export function verifyAdmission(key: Buffer, code: string, now: Date): Verification {
  const text = code.trim();
  if (!text.startsWith(CODE_PREFIX) || !/^[A-Za-z0-9_-]+$/.test(text.slice(CODE_PREFIX.length))) return { ok: false, reason: 'forged' };
  const raw = Buffer.from(text.slice(CODE_PREFIX.length), 'base64url');
  // Canonical text only: base64url's spare bits in the last character would otherwise give one code several spellings.
  if (raw.length !== BODY + MAC || raw.readUInt8(0) !== FORMAT || raw.toString('base64url') !== text.slice(CODE_PREFIX.length)) return { ok: false, reason: 'forged' };
  const body = raw.subarray(0, BODY);
  if (!timingSafeEqual(mac(key, body), raw.subarray(BODY))) return { ok: false, reason: 'forged' };
  const claims: AdmissionClaims = {
    meetingId: body.readUInt32BE(1),
    attendeeId: body.readUInt32BE(5),
    version: body.readUInt16BE(9),
    expiresAt: new Date(body.readUInt32BE(11) * 60_000),
  };
  if (claims.expiresAt <= now) return { ok: false, reason: 'expired', claims };
  return { ok: true, claims, tag: tagOf(text) };
}

/** The QR code of an admission code as a PNG (medium error correction survives a cracked screen). */
export async function admissionPng(code: string): Promise<Buffer> {
  // Loaded on the first QR code, not at every start (~60 modules).
  const { default: QRCode } = await import('qrcode');
  return QRCode.toBuffer(code, { type: 'png', errorCorrectionLevel: 'M', margin: 2, scale: 8 });
}

/**
 * Keyed hash of the last four phone digits within one meeting: the door searches by it without
 * decrypting every phone per keystroke, and the digits are not readable from the table.
 */
export function phoneTailHash(key: Buffer, meetingId: number, lastFour: string): string {
  return createHmac('sha256', key).update(`phone-tail:${meetingId}:${lastFour}`).digest('base64url').slice(0, 22);
}

/**
 * Signs the offline roster a scanner page keeps on the device: ECDSA P-256 (what every browser's
 * WebCrypto verifies), the private key derived from the admission key, so every instance signs
 * alike and the page can check, each time it reads the roster back from storage, that it is the
 * server's and unchanged. The public key is in the page.
 */
export class RosterSigner {
  readonly publicJwk: { kty: 'EC'; crv: 'P-256'; x: string; y: string };
  private readonly privateKey: KeyObject;

  constructor(admissionKey: Buffer) {
    const d = Buffer.from(hkdfSync('sha256', admissionKey, Buffer.alloc(0), 'huiwu roster signing v1', 32));
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(d);
    const point = ecdh.getPublicKey();
    this.publicJwk = { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') };
    this.privateKey = createPrivateKey({ key: { ...this.publicJwk, d: d.toString('base64url') }, format: 'jwk' });
  }

  /** The signature (IEEE P1363, r ‖ s, base64url) of the exact UTF-8 text. */
  sign(text: string): string {
    return sign('sha256', Buffer.from(text, 'utf8'), { key: this.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
  }

  verify(text: string, signature: string): boolean {
    const publicKey = createPublicKey({ key: this.publicJwk, format: 'jwk' });
    return verify('sha256', Buffer.from(text, 'utf8'), { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
  }
}
