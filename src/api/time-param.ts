import { InvalidArgumentError } from '../common/errors.js';

/**
 * Docker's since/until query values: a unix timestamp with optional fractional seconds
 * ("1700000000.123456789") or an RFC 3339 date. Returns nanoseconds since the epoch.
 */
export function parseTimeParam(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const m = /^(-?\d+)(?:\.(\d{1,9}))?$/.exec(value);
  if (m) return Number(m[1]) * 1e9 + Number((m[2] ?? '').padEnd(9, '0'));
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new InvalidArgumentError(`invalid value for ${name}: ${value}`);
  return t * 1e6;
}
