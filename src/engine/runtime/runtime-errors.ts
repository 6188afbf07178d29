import { SystemError } from '../../common/errors.js';

/** The OCI runtime refused or failed a verb; `message` is the runtime's own text. */
export class RuntimeError extends SystemError {
  constructor(
    message: string,
    readonly verb: string,
  ) {
    super(message);
  }
}

/** crun's text for a missing executable: "executable file `x` not found in $PATH: No such file or directory". */
export function isExecutableNotFound(message: string): boolean {
  return /not found|no such file or directory/i.test(message);
}

/** crun's text when the entrypoint cannot be executed: "... Permission denied". */
export function isPermissionDenied(message: string): boolean {
  return /permission denied/i.test(message);
}

/**
 * Docker's exit status for a container whose process could not be started: 127 when the command
 * was not found, 126 when it could not be invoked, else 128 (a runtime failure).
 */
export function startFailureExitCode(message: string): 126 | 127 | 128 {
  if (isExecutableNotFound(message)) return 127;
  if (isPermissionDenied(message)) return 126;
  return 128;
}
