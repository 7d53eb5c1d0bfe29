/**
 * What we keep per card sent through WeCom (stored as JSON in `Card.platformRef`): which path
 * delivered it, which fresh copy is current (task ids must be unique per app), and the latest
 * unused response code for update_template_card (single-use, valid 72 h).
 */
export interface WecomCardRef {
  via: 'app' | 'bot';
  /** 0 for the original card; n for the n-th fresh copy (task id `<card>@n`). */
  copy: number;
  code?: string;
  /** When the code was issued (ms since epoch). */
  codeAt?: number;
  /** Whose copy the code updates: a userid (a click's code) or `all` (message/send's code). */
  codeFor?: string;
}

/** WeCom: response codes expire after 72 hours; a small margin avoids racing the expiry. */
export const RESPONSE_CODE_TTL_MS = 72 * 3600_000 - 10 * 60_000;

export function parseCardRef(raw: string | null | undefined): WecomCardRef | null {
  if (!raw) return null;
  try {
    const ref = JSON.parse(raw) as WecomCardRef;
    return ref.via === 'app' || ref.via === 'bot' ? ref : null;
  } catch {
    return null;
  }
}

export function usableCode(ref: WecomCardRef | null, now: number): { code: string; userids: string[] | 'all' } | null {
  if (!ref?.code || ref.codeAt === undefined || now - ref.codeAt > RESPONSE_CODE_TTL_MS) return null;
  return { code: ref.code, userids: !ref.codeFor || ref.codeFor === 'all' ? 'all' : [ref.codeFor] };
}
