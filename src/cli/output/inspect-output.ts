import { CliExit, type CliEnv } from '../cli-env.js';
import { FormatError, renderEach } from './format.js';

/** Runs a template rendering; a template error fails the command (exit 1) with its message, as in docker. */
export function withFormatErrors<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof FormatError) throw new CliExit(1, err.message);
    throw err;
  }
}

/** docker's `inspect` JSON: an array indented by four spaces, `[]` when nothing was found. */
export function inspectJson(items: unknown[]): string {
  return items.length ? `${JSON.stringify(items, null, 4)}\n` : '[]\n';
}

/** Prints what an `inspect` found (JSON, or each object through --format), then fails with the not-found lines. */
export function printInspected(e: CliEnv, found: unknown[], errors: string[], format?: string): void {
  e.out.write(format && format !== 'json' ? withFormatErrors(() => renderEach(found, format)) : inspectJson(found));
  if (errors.length) throw new CliExit(1, errors.join('\n'));
}
