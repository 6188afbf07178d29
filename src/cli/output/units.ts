// docker/go-units and docker's time arguments: human sizes and durations in both directions.
import { humanDuration } from '../../common/human-duration.js';
import { goExponent } from './go-value.js';

const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];

/** Go's %.<precision>g: significant digits, trailing zeros dropped, e-notation past the precision. */
export function formatSignificant(x: number, precision: number): string {
  if (x === 0) return '0';
  const rounded = Number(x.toPrecision(precision));
  const exp = Math.floor(Math.log10(Math.abs(rounded)));
  if (exp < -4 || exp >= precision) {
    const [mantissa, e] = rounded.toExponential(precision - 1).split('e');
    return goExponent(trimZeros(mantissa!) + 'e' + e);
  }
  return trimZeros(rounded.toFixed(Math.max(0, precision - 1 - exp)));
}

function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

function scaled(size: number, base: number, units: string[], precision: number): string {
  let i = 0;
  while (size >= base && i < units.length - 1) {
    size /= base;
    i++;
  }
  return formatSignificant(size, precision) + units[i];
}

/**
 * go-units HumanSizeWithPrecision: decimal units ("55.7MB", "1.2kB", "0B"). docker's list columns
 * (image and container sizes) use precision 3; go-units' own HumanSize uses 4.
 */
export function humanSize(bytes: number, precision = 3): string {
  return scaled(bytes, 1000, DECIMAL_UNITS, precision);
}

/** go-units BytesSize: binary units with 4 significant digits ("1.5KiB", "512MiB"). */
export function bytesSize(bytes: number): string {
  return scaled(bytes, 1024, BINARY_UNITS, 4);
}


export { humanDuration };

/** "5 minutes ago": how docker shows CREATED / RunningFor. */
export function timeAgo(since: Date, now: Date = new Date()): string {
  return humanDuration(now.getTime() - since.getTime()) + ' ago';
}

const SIZE_MULTIPLIERS: Record<string, number> = { k: 1, m: 2, g: 3, t: 4, p: 5 };

function parseSize(input: string, base: number): number {
  // The number ends at the last digit, dot or space; a single space may separate the suffix.
  let sep = -1;
  for (let i = input.length - 1; i >= 0; i--) {
    if ('0123456789. '.includes(input[i]!)) {
      sep = i;
      break;
    }
  }
  if (sep === -1) throw new Error(`invalid size: '${input}'`);
  const num = input[sep] === ' ' ? input.slice(0, sep) : input.slice(0, sep + 1);
  const suffix = input.slice(sep + 1);
  const size = parseGoFloat(num);
  if (size < 0) throw new Error(`invalid size: '${input}'`);
  if (suffix === '') return Math.trunc(size);
  const sfx = suffix.toLowerCase();
  const bad = new Error(`invalid suffix: '${suffix.length > 3 ? suffix : sfx}'`);
  if (sfx.length > 3) throw bad;
  if (sfx[0] === 'b') {
    if (sfx.length > 1) throw bad;
    return Math.trunc(size);
  }
  const power = SIZE_MULTIPLIERS[sfx[0]!];
  if (power === undefined) throw bad;
  if ((sfx.length === 2 && sfx[1] !== 'b') || (sfx.length === 3 && sfx.slice(1) !== 'ib')) throw bad;
  return Math.trunc(size * base ** power);
}

function parseGoFloat(s: string): number {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) throw new Error(`strconv.ParseFloat: parsing ${JSON.stringify(s)}: invalid syntax`);
  return Number(s);
}

/** go-units RAMInBytes: "512m", "1g", "10k", "1.5GiB", "100" → bytes (binary multiples). */
export function ramInBytes(input: string): number {
  return parseSize(input, 1024);
}

/** go-units FromHumanSize: "10MB", "1.2kB" → bytes (decimal multiples). */
export function fromHumanSize(input: string): number {
  return parseSize(input, 1000);
}

const DURATION_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60000, h: 3600000 };

/** Go's time.ParseDuration ("1h30m", "300ms", "-1.5h") → milliseconds. */
export function parseGoDuration(input: string): number {
  const invalid = new Error(`time: invalid duration "${input}"`);
  let s = input;
  let sign = 1;
  if (s[0] === '-' || s[0] === '+') {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw invalid;
  let total = 0;
  while (s !== '') {
    const m = /^(\d*\.?\d*)(ns|us|µs|μs|ms|s|m|h)?/.exec(s)!;
    if (m[1] === '' || m[1] === '.') throw invalid;
    if (m[2] === undefined) throw new Error(`time: missing unit in duration "${input}"`);
    total += Number(m[1]) * DURATION_UNITS[m[2]]!;
    s = s.slice(m[0].length);
    if (s !== '' && !/^[\d.]/.test(s)) throw new Error(`time: unknown unit "${/^[^\d.]+/.exec(s)![0]}" in duration "${input}"`);
  }
  return sign * total;
}

/**
 * docker's timetypes.GetTimestamp for --since/--until: a duration before `now` ("10m", "1h30m"),
 * an RFC 3339 date or date-time (local time unless it has a zone), or a unix timestamp
 * ("1700000000", "1700000000.5") passed through. Returns the API's "seconds[.nanoseconds]" form.
 */
export function parseTimestamp(value: string, now: Date = new Date()): string {
  if (value !== '0') {
    try {
      return String(Math.trunc((now.getTime() - parseGoDuration(value)) / 1000));
    } catch {
      // not a duration
    }
  }
  const parsed = parseDateTime(value);
  if (parsed !== undefined) {
    const seconds = Math.floor(parsed.ms / 1000);
    const nanos = (parsed.ms - seconds * 1000) * 1e6 + parsed.extraNanos;
    return `${seconds}.${String(Math.round(nanos)).padStart(9, '0')}`;
  }
  if (value.includes('-')) throw new Error(`parsing time "${value}": cannot parse as RFC 3339`);
  if (!/^\d+(\.\d{1,9})?$/.test(value)) throw new Error(`failed to parse value as time or duration: "${value}"`);
  return value;
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?)?(Z|z|[+-]\d{2}:\d{2})?$/;

function parseDateTime(value: string): { ms: number; extraNanos: number } | undefined {
  const m = DATE_TIME.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
  const fraction = frac.padEnd(9, '0');
  const ms = Number(fraction.slice(0, 3));
  const extraNanos = Number(fraction.slice(3));
  let time: number;
  if (zone === undefined) {
    time = new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms).getTime();
  } else {
    time = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
    if (zone !== 'Z' && zone !== 'z') {
      const offset = (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60000;
      time -= zone[0] === '+' ? offset : -offset;
    }
  }
  return Number.isNaN(time) ? undefined : { ms: time, extraNanos };
}

/** Go's time.Time.String() in UTC or local time: "2023-11-14 22:13:20 +0000 UTC". */
export function goTimeString(date: Date, utc = false): string {
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  const offsetMin = utc ? 0 : -date.getTimezoneOffset();
  const t = new Date(date.getTime() + offsetMin * 60000);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  const zoneName = offsetMin === 0 && (utc || process.env.TZ === undefined || process.env.TZ === 'UTC' || process.env.TZ === '') ? 'UTC' : localZoneName(date);
  const ms = t.getUTCMilliseconds();
  const frac = ms ? '.' + pad(ms, 3).replace(/0+$/, '') : '';
  return (
    `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())} ` +
    `${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}${frac} ` +
    `${sign}${pad(Math.trunc(abs / 60))}${pad(abs % 60)} ${zoneName}`
  );
}

function localZoneName(date: Date): string {
  const part = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(date).find((p) => p.type === 'timeZoneName');
  return part?.value ?? 'UTC';
}
