/**
 * The user-facing error catalogue. Handlers and services throw these; the router turns them into
 * replies (a UsageError adds the command's usage). Anything else is logged and answered with a
 * generic apology, so internals never leak into chat.
 */

/** A malformed command: the router replies with this problem plus the command's usage. */
export class UsageError extends Error {}

/** A well-formed request that cannot be done (unknown id, no permission, too late...): replied as is. */
export class UserError extends Error {}
