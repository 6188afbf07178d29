import {
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
const STATUS: [new (...args: any[]) => Error, number][] = [
  [NotFoundError, 404],
  [InvalidArgumentError, 400],
  [ConflictError, 409],
  [NotModifiedError, 304],
  [UnauthorizedError, 401],
  [ForbiddenError, 403],
  [UnavailableError, 503],
  [NotImplementedError, 501],
];

export function statusOf(err: unknown): number {
  for (const [cls, status] of STATUS) if (err instanceof cls) return status;
  if (err instanceof HttpError) return err.status;
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
