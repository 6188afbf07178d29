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

/** crun's text for an entrypoint that is a directory (runc: "is a directory", Docker's 126). */
export function isDirectoryExec(message: string): boolean {
  return /is a directory|open executable: operation not permitted/i.test(message);
}

/**
 * Docker's exit status for a process (container or exec) that could not be started, in the order
 * moby's setExitCodeFromError tests them: 126 when it could not be invoked (permission denied, a
 * directory), 127 when it was not found, else 128 (a runtime failure).
 */
export function startFailureExitCode(message: string): 126 | 127 | 128 {
  if (isPermissionDenied(message) || isDirectoryExec(message)) return 126;
  if (isExecutableNotFound(message) || /not a directory/i.test(message)) return 127;
  return 128;
}
