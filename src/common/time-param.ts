import { InvalidArgumentError } from '../common/errors.js';

const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, μs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** A Go duration ("90s", "1h30m", "1.5h") in nanoseconds, or undefined if `value` is not one. */
export function parseGoDuration(value: string): number | undefined {
  if (!/^[-+]?(?:\d+(?:\.\d*)?(?:ns|us|µs|μs|ms|s|m|h))+$/.test(value)) return undefined;
  const sign = value.startsWith('-') ? -1 : 1;
  let total = 0;
  for (const m of value.matchAll(/(\d+(?:\.\d*)?)(ns|us|µs|μs|ms|s|m|h)/g)) total += Number(m[1]) * UNIT_NS[m[2]!]!;
  return sign * total;
}

/**
 * Docker's since/until values (timetypes.GetTimestamp): a unix timestamp with optional fractional
 * seconds ("1700000000.123456789"), a Go duration counted back from now ("10m", "1h30m"), or an
 * RFC 3339 date. Returns nanoseconds since the epoch.
 */
export function parseTimeParam(value: string | undefined, name: string, now = Date.now()): number | undefined {
  if (value === undefined || value === '') return undefined;
  const m = /^(-?\d+)(?:\.(\d{1,9}))?$/.exec(value);
  if (m) return Number(m[1]) * 1e9 + Number((m[2] ?? '').padEnd(9, '0'));
  const ago = parseGoDuration(value);
  if (ago !== undefined) return now * 1e6 - ago;
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new InvalidArgumentError(`invalid value for ${name}: ${value}`);
  return t * 1e6;
}
