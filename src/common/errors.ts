// Error classes named for what went wrong, not for how HTTP says it. The API maps each class to a
// status in one place (src/api/error-status.ts); the engine only ever throws these.

export class BerthError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The thing asked for does not exist (404). */
export class NotFoundError extends BerthError {}
/** The request is malformed or names an invalid value (400). */
export class InvalidArgumentError extends BerthError {}
/** The request clashes with the current state: a name taken, a container running (409). */
export class ConflictError extends BerthError {}
/** Nothing to do: already started, already stopped (304). */
export class NotModifiedError extends BerthError {}
/** Credentials missing or wrong (401). */
export class UnauthorizedError extends BerthError {}
/** Not allowed (403). */
export class ForbiddenError extends BerthError {}
/** A dependency is down or the feature is inactive, e.g. swarm (503). */
export class UnavailableError extends BerthError {}
/** Known API, not built (501). */
export class NotImplementedError extends BerthError {}
/** Something failed on our side or below us (500). */
export class SystemError extends BerthError {}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
