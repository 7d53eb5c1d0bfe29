/**
 * Callback authenticity, as pure functions with an injected clock: signature (constant-time),
 * timestamp window against replays, AES decryption, receive id == our corp id.
 * Scheme (WXBizMsgCrypt): https://developer.work.weixin.qq.com/document/path/90968
 */
import { timingSafeEqual } from 'node:crypto';
import { decrypt, getSignature } from '@wecom/crypto';

export type CallbackFailure = 'missing-params' | 'bad-signature' | 'stale-timestamp' | 'decrypt-failed' | 'wrong-receiver' | 'malformed';

/** A refused callback: answered with a 4xx and logged with its code; nothing is stored. */
export class CallbackError extends Error {
  constructor(
    readonly code: CallbackFailure,
    message: string,
  ) {
    super(message);
  }
}

export interface CallbackKeys {
  token: string;
  encodingAesKey: string;
  /** The receive id every decrypted payload must carry: the corp id for a self-built app. */
  receiveId: string;
  /** Allowed distance between the callback's timestamp and `now`, in seconds. */
  maxAgeSeconds: number;
}

export interface SignedParams {
  signature: string;
  timestamp: string;
  nonce: string;
  /** The encrypted value: `echostr` for URL verification, the `Encrypt` element for a POST. */
  encrypt: string;
}

/** sha1(sort(token, timestamp, nonce, encrypt)) compared in constant time. */
export function signatureMatches(token: string, p: SignedParams): boolean {
  const expected = Buffer.from(getSignature(token, p.timestamp, p.nonce, p.encrypt), 'utf8');
  const given = Buffer.from(p.signature.toLowerCase(), 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function timestampFresh(timestamp: string, now: Date, maxAgeSeconds: number): boolean {
  if (!/^\d{1,12}$/.test(timestamp)) return false;
  return Math.abs(now.getTime() / 1000 - Number(timestamp)) <= maxAgeSeconds;
}

/** Verifies and decrypts; returns the plaintext message or throws a CallbackError. */
export function openSigned(keys: CallbackKeys, p: Partial<SignedParams>, now: Date): string {
  if (!p.signature || !p.timestamp || !p.nonce || !p.encrypt) throw new CallbackError('missing-params', 'msg_signature, timestamp, nonce and the encrypted value are required');
  const params = p as SignedParams;
  if (!signatureMatches(keys.token, params)) throw new CallbackError('bad-signature', 'signature does not match');
  if (!timestampFresh(params.timestamp, now, keys.maxAgeSeconds)) throw new CallbackError('stale-timestamp', `timestamp ${params.timestamp} outside the ${keys.maxAgeSeconds}s window`);
  let opened: { message: string; id: string };
  try {
    opened = decrypt(keys.encodingAesKey, params.encrypt);
  } catch (error) {
    throw new CallbackError('decrypt-failed', `cannot decrypt: ${(error as Error).message}`);
  }
  const expected = Buffer.from(keys.receiveId);
  const got = Buffer.from(opened.id);
  if (got.length !== expected.length || !timingSafeEqual(got, expected)) throw new CallbackError('wrong-receiver', `receive id "${opened.id}" is not our corp id`);
  return opened.message;
}
