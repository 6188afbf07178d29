import { randomBytes } from 'node:crypto';
import {
  BerthError,
  ConflictError,
  ForbiddenError,
  InvalidArgumentError,
  NotFoundError,
  NotImplementedError,
  NotModifiedError,
  UnauthorizedError,
  UnavailableError,
} from '../common/errors.js';

// The one place where an error class becomes an HTTP status (moby's errdefs → httpstatus).
const STATUS: [abstract new (...args: never[]) => Error, number][] = [
  [NotFoundError, 404],
  [InvalidArgumentError, 400],
  [ConflictError, 409],
  [NotModifiedError, 304],
  [UnauthorizedError, 401],
  [ForbiddenError, 403],
  [UnavailableError, 503],
  [NotImplementedError, 501],
];

/**
 * System errors that only a client's input can cause: a name longer than a file name may be, a
 * path with a NUL byte in it.
 * The message is the syscall's own (Go prints the same text), without berth's host paths.
 */
const CLIENT_ERRNO: Record<string, [number, string]> = {
  ENAMETOOLONG: [400, 'file name too long'],
  EINVAL: [400, 'invalid argument'],
};

/**
 * Failures of the host the client should still read, because only freeing space helps: a full
 * disk under data-root. 500 as in dockerd, with the syscall's words and without berth's paths.
 */
const HOST_ERRNO: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  SQLITE_FULL: 'no space left on device (database or disk is full)',
};

function errnoOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  // Node refuses a path holding a NUL byte before any syscall; the kernel's answer would be EINVAL.
  if (code === 'ERR_INVALID_ARG_VALUE' && /null bytes/.test((err as Error).message)) return 'EINVAL';
  return code;
}

export function statusOf(err: unknown): number {
  for (const [cls, status] of STATUS) if (err instanceof cls) return status;
  if (err instanceof HttpError) return err.status;
  const client = CLIENT_ERRNO[errnoOf(err) ?? ''];
  if (client) return client[0];
  return 500;
}

/** An error that already knows its status: used by the HTTP layer itself (413, 404 page not found). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * What the client is told. berth's own errors keep their message (dockerd shows its errors too);
 * anything else is a bug or a failure below us whose text (a TypeError, a stack-ish detail) means
 * nothing to a client: it gets a generic message and an id to find the detail in berthd's log.
 */
export function publicError(err: unknown): { message: string; errorId?: string } {
  if (err instanceof BerthError || err instanceof HttpError) return { message: err.message };
  const client = CLIENT_ERRNO[errnoOf(err) ?? ''];
  if (client) return { message: client[1] };
  const host = HOST_ERRNO[errnoOf(err) ?? ''];
  if (host) return { message: host };
  const errorId = randomBytes(6).toString('hex');
  return { message: `internal error in berthd (error id ${errorId}; the daemon's log has the details)`, errorId };
}

/** JavaScript's own error classes: thrown by a bug, never meant for a client to read. */
const INTERNAL = [TypeError, RangeError, ReferenceError, SyntaxError, URIError, EvalError];

/**
 * The message for an error reported inside a stream that already began (pull progress, build
 * output, an attach). Failures of the work itself keep their words (a build step's output, a
 * registry's answer); a JavaScript internal gets the generic message, logged with its id.
 */
export function streamErrorMessage(err: unknown, logger: { error(o: object, msg: string): void }): string {
  if (!INTERNAL.some((cls) => err instanceof cls)) return err instanceof Error ? err.message : String(err);
  const { message, errorId } = publicError(err);
  logger.error({ err, errorId }, 'stream failed');
  return message;
}
