/**
 * The user-facing error catalogue. Every error a person can see has a stable code (`E_REMINDER_PAST`)
 * whose message is `errors.<code>` in the catalogues (locales/), rendered in the reader's language
 * with the error's parameters. Handlers and services throw these; the router turns them into replies
 * (a UsageError adds the command's usage). Anything else is logged with a reference the user can
 * quote, and answered with a generic apology, so internals never leak into chat.
 */
import type { Params } from './i18n/translator.js';

export type ErrorCode = `E_${string}`;

export abstract class CodedError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly params: Params = {},
  ) {
    super(code);
  }

  /** The catalogue key of the message. */
  get key(): string {
    return `errors.${this.code}`;
  }
}

/** A malformed command: the router replies with this problem plus the command's usage. */
export class UsageError extends CodedError {}

/** A well-formed request that cannot be done (unknown id, no permission, too late...): replied as is. */
export class UserError extends CodedError {}

const REF_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

/** A short reference for an unexpected error, logged with it and shown to the user ("参考号 7F3K"). */
export function errorReference(): string {
  let ref = '';
  for (let i = 0; i < 6; i++) ref += REF_ALPHABET[Math.floor(Math.random() * REF_ALPHABET.length)];
  return ref;
}

/** A health or readiness condition of ours not met, worded by us (no dependency's own text): /readyz shows its message. */
export class ConditionNotMet extends Error {}
