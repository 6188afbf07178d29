import { InvalidArgumentError } from '../common/errors.js';
import { parseGoDuration } from '../common/time-param.js';
import type { RequestContext } from './request-context.js';

/** berth's duration parameters (health timeouts, waits): a Go duration or whole seconds, in ms. */
export function durationMs(ctx: RequestContext, name: string): number | undefined {
  const v = ctx.str(name);
  if (v === undefined || v === '') return undefined;
  const ns = parseGoDuration(v) ?? (/^\d+$/.test(v) ? Number(v) * 1e9 : undefined);
  if (ns === undefined || ns < 0) throw new InvalidArgumentError(`invalid ${name}: ${v} (a duration such as 30s or 2m)`);
  return ns / 1e6;
}
