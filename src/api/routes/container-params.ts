import { InvalidArgumentError } from '../../common/errors.js';
import type { WaitCondition } from '../../engine/containers/container-service.js';
import type { RequestContext } from '../request-context.js';

// Query values of the container and exec routes, read as dockerd's router reads them.

const RESTART_POLICIES = ['no', 'always', 'on-failure', 'unless-stopped'];
const WAIT_CONDITIONS: readonly string[] = ['not-running', 'next-exit', 'removed'] satisfies WaitCondition[];

/** A terminal's height or width: dockerd parses them as unsigned 16-bit-ish counts. */
export function ttyDimension(ctx: RequestContext, name: 'h' | 'w'): number {
  const v = ctx.int(name, 0)!;
  if (v < 0 || v > 65535) throw new InvalidArgumentError(`invalid value for ${name}: ${ctx.str(name)}`);
  return v;
}

/** An exec's ConsoleSize: [height, width], null to clear, undefined when not given. */
export function consoleSize(v: number[] | null | undefined): [number, number] | null | undefined {
  return v && v.length >= 2 ? [v[0]!, v[1]!] : v === null ? null : undefined;
}

/**
 * `t` and `signal` of stop and restart: `t` read as Go's strconv.Atoi reads it (negative: no limit),
 * `signal` only from API 1.42 on, as moby reads them.
 */
export function stopOptions(ctx: RequestContext): { timeout?: number; signal?: string } {
  const t = ctx.str('t');
  if (t !== undefined && t !== '' && !/^[+-]?\d+$/.test(t)) throw new InvalidArgumentError(`strconv.Atoi: parsing ${JSON.stringify(t)}: invalid syntax`);
  return { timeout: t ? Number(t) : undefined, signal: ctx.atLeast('1.42') ? ctx.str('signal') : undefined };
}

/** POST /containers/{name}/update: a restart policy must be one dockerd knows. */
export function checkRestartPolicy(policy: string | undefined): void {
  if (policy && !RESTART_POLICIES.includes(policy)) {
    throw new InvalidArgumentError(`invalid restart policy: unknown policy '${policy}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`);
  }
}

/** The `condition` of POST /containers/{name}/wait (default not-running). */
export function waitCondition(ctx: RequestContext): WaitCondition {
  const condition = ctx.str('condition') || 'not-running';
  if (!WAIT_CONDITIONS.includes(condition)) throw new InvalidArgumentError(`invalid condition: "${condition}"`);
  return condition as WaitCondition;
}
