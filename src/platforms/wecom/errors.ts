/**
 * WeCom errcodes -> what the outbound worker does. WeCom advises retrying only system errors
 * (-1) and throttling; everything else needs a fix, so unknown codes give up instead of looping.
 * Codes: https://developer.work.weixin.qq.com/document/path/90313
 */
import { PlatformError } from '../types.js';

export const TOKEN_ERRORS = new Set([40014, 42001]);
export const THROTTLE_ERRORS = new Set([45009, 45033]);
const RETRYABLE = new Set([-1, ...THROTTLE_ERRORS]);

/** A WeCom API failure, keeping the errcode for logs and for the callers that branch on it. */
export class WecomApiError extends PlatformError {
  constructor(
    readonly api: string,
    readonly errcode: number,
    errmsg: string,
    retryAfterMs?: number,
  ) {
    super(`WeCom ${api} failed: ${errcode} ${errmsg}`, classify(errcode), retryAfterMs);
  }
}

export function classify(errcode: number): PlatformError['action'] {
  if (TOKEN_ERRORS.has(errcode)) return 'refresh';
  return RETRYABLE.has(errcode) ? 'retry' : 'give-up';
}
