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
 * RFC 3339 date. Returns nanoseconds since the epoch, exactly: a double holds them only to 256 ns,
 * too coarse to compare with a log line's own time.
 */
export function parseTimeParamNs(value: string | undefined, name: string, now = Date.now()): bigint | undefined {
  if (value === undefined || value === '') return undefined;
  const m = /^(-?\d+)(?:\.(\d{1,9}))?$/.exec(value);
  // As Docker's time.Unix(sec, nsec): the fraction is added, so "-1.5" is half a second before the epoch.
  if (m) return BigInt(m[1]!) * 1_000_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
  const ago = parseGoDuration(value);
  if (ago !== undefined) return BigInt(now) * 1_000_000n - BigInt(Math.round(ago));
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new InvalidArgumentError(`invalid value for ${name}: ${value}`);
  return BigInt(t) * 1_000_000n;
}

/** parseTimeParamNs as a number (to 256 ns), for comparisons with times kept as numbers. */
export function parseTimeParam(value: string | undefined, name: string, now = Date.now()): number | undefined {
  const ns = parseTimeParamNs(value, name, now);
  return ns === undefined ? undefined : Number(ns);
}
