/**
 * DingTalk failures classified once, so every caller reacts the same way.
 * New-style APIs answer HTTP 4xx/5xx with a `code` string (platforms.md B4, B7).
 */
import type { OpenApiErrorBody } from './raw-types.js';

/**
 * - `qps`: per-app or global QPS limit (403 …QpsLimit…): pause all sends, retry.
 * - `rate`: robot send throttles (`send.too.fast`…): retry later.
 * - `quota`: the org's monthly API quota is used up: stop, tell someone.
 * - `permission`: the app lacks a permission (or the plan lacks the feature): stop, tell someone.
 * - `invalid`: a request DingTalk will never accept (bad user, bad parameter).
 * - `auth`: the access token was refused (401).
 * - `transient`: 5xx, network, timeouts.
 */
export type DingTalkErrorKind = 'qps' | 'rate' | 'quota' | 'permission' | 'invalid' | 'auth' | 'transient';

export class DingTalkApiError extends Error {
  constructor(
    readonly kind: DingTalkErrorKind,
    readonly status: number,
    readonly code: string,
    message: string,
    /** From the IP-block answer (`wait` seconds), when DingTalk says how long to wait. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

const RATE_CODES = ['send.too.fast', 'send.byToken.tooFast', 'too.many.group', 'too.many.people', 'toomuch.msg'];

export function classify(status: number, body: OpenApiErrorBody | null): DingTalkApiError {
  const code = body?.code ?? '';
  const text = `DingTalk HTTP ${status}${code ? ` ${code}` : ''}${body?.message ? `: ${body.message}` : ''}`;
  if (body?.status === 1111 || body?.punish) return new DingTalkApiError('qps', status, 'ip.blocked', `${text} (caller IP blocked)`, (body.wait ?? 5) * 1000);
  if (/QpsLimit/i.test(code) || code === '90018' || code === '90002') return new DingTalkApiError('qps', status, code, text);
  if (/ApiCountLimit/i.test(code) || code === '90020') return new DingTalkApiError('quota', status, code, text);
  if (RATE_CODES.includes(code)) return new DingTalkApiError('rate', status, code, text);
  if (status === 401) return new DingTalkApiError('auth', status, code, text);
  if (status === 403 || /^Forbidden/i.test(code) || /permission|quota\.insufficient|serverquota/i.test(code)) {
    return new DingTalkApiError('permission', status, code, text);
  }
  if (status >= 500 || status === 429 || status === 0) return new DingTalkApiError('transient', status, code, text);
  return new DingTalkApiError('invalid', status, code, text);
}
