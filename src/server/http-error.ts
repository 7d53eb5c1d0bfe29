/**
 * An error whose message is meant for the HTTP client: the server's error handler answers with its
 * status and message. Any other error is answered `{ error: 'internal', ref }` and logged in full.
 */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** A dependency (Redis, the database) is down: 503, so a platform re-sends later. */
export class UnavailableError extends HttpError {
  constructor(message: string) {
    super(503, message);
  }
}

/** `12` or `#12` -> 12; anything else is a 400 naming the parameter. */
export function parseId(text: string, what: string): number {
  const match = /^#?(\d{1,9})$/.exec(text.trim());
  if (!match) throw new HttpError(400, `${what} must be a number such as 12 or #12, not "${text.slice(0, 40)}"`);
  return Number(match[1]);
}
