import { parseGoDuration } from './units.js';

// docker's `--since`/`--until` values (its timetypes.GetTimestamp): a Go duration counts back from
// now, RFC 3339 dates and unix seconds pass as "seconds.nanoseconds".

export function apiTimestamp(value: string, now = Date.now()): string {
  if (/^\d+(\.\d{1,9})?$/.test(value)) return value;
  try {
    const ns = parseGoDuration(value);
    return secondsString(now * 1e6 - ns);
  } catch {
    /* not a duration */
  }
  const hasZone = /(Z|[+-]\d\d:?\d\d)$/.test(value);
  const ms = Date.parse(hasZone || !/T|\d:\d/.test(value) ? value : `${value}Z`);
  if (Number.isNaN(ms)) throw new Error(`invalid value for "since"/"until": "${value}"`);
  return secondsString(ms * 1e6);
}

function secondsString(ns: number): string {
  const seconds = Math.floor(ns / 1e9);
  const frac = Math.round(ns - seconds * 1e9);
  return `${seconds}.${String(frac).padStart(9, '0')}`;
}
