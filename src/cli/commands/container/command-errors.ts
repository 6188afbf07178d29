import { ApiError } from '../../../client/api-client.js';
import { CliExit } from '../../cli-env.js';

// How docker 28's run/create/start report failures, and the exit statuses it chooses.

/** `berth: <message>\n\nRun 'berth <verb> --help' for more information`, exit 125 by default. */
export function usageFailure(verb: string, err: unknown, code = 125): CliExit {
  const message = err instanceof ApiError ? `Error response from daemon: ${err.message}` : err instanceof Error ? err.message : String(err);
  return new CliExit(code, `berth: ${message}\n\nRun 'berth ${verb} --help' for more information`);
}

/** The status docker gives a failed start: 127 not found, 126 not executable, else 125. */
export function startFailureCode(message: string): number {
  if (/executable file not found|no such file or directory|system cannot find the file specified/.test(message)) return 127;
  if (/permission denied|is a directory/.test(message)) return 126;
  return 125;
}

/**
 * Runs `action` for every target; prints what it returns (if anything) to stdout and each failure as
 * `Error response from daemon: …` to stderr, and ends with status 1 if any failed, as docker does.
 */
export async function forEachTarget(
  targets: string[],
  out: NodeJS.WritableStream,
  action: (target: string) => Promise<string | undefined>,
): Promise<void> {
  const errors: string[] = [];
  for (const target of targets) {
    try {
      const line = await action(target);
      if (line !== undefined) out.write(`${line}\n`);
    } catch (err) {
      if (err instanceof ApiError) errors.push(`Error response from daemon: ${err.message}`);
      else if (err instanceof CliExit) errors.push(err.message);
      else errors.push(err instanceof Error ? err.message : String(err));
    }
  }
  if (errors.length) throw new CliExit(1, errors.join('\n'));
}
