import { InvalidArgumentError } from '../../common/errors.js';

// How dockerd's history spells a step: Go's %q of slices and of a *HealthConfig, Go's durations.

/** Go's %q of a []string, as dockerd writes CMD and ENTRYPOINT in history: ["a" "b c"]. */
export function goQuoted(list: string[]): string {
  return `[${list.map((x) => JSON.stringify(x)).join(' ')}]`;
}

import type { HealthConfig } from '../containers/container-model.js';

export type { HealthConfig };

/** Go's %q of a *HealthConfig, which is what dockerd's history says for HEALTHCHECK. */
export function goHealthcheck(h: HealthConfig): string {
  const d = (ns = 0) => JSON.stringify(goDuration(ns));
  const retries = h.Retries ?? 0;
  const escapes: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 39: "\\'", 92: '\\\\' };
  const rune = escapes[retries] ?? (retries < 0x20 || retries === 0x7f ? `\\x${retries.toString(16).padStart(2, '0')}` : String.fromCodePoint(retries));
  return `&{${goQuoted(h.Test ?? [])} ${d(h.Interval)} ${d(h.Timeout)} ${d(h.StartPeriod)} ${d(h.StartInterval)} '${rune}'}`;
}

/** Go's time.Duration String(): 0s, 500ms, 30s, 1m30s, 1h0m0s. */
export function goDuration(ns: number): string {
  if (ns === 0) return '0s';
  if (ns < 1e3) return `${ns}ns`;
  if (ns < 1e6) return `${trimZeros(ns / 1e3)}µs`;
  if (ns < 1e9) return `${trimZeros(ns / 1e6)}ms`;
  const h = Math.floor(ns / 3600e9);
  const m = Math.floor((ns % 3600e9) / 60e9);
  const sec = trimZeros((ns % 60e9) / 1e9);
  if (h) return `${h}h${m}m${sec}s`;
  if (m) return `${m}m${sec}s`;
  return `${sec}s`;
}

const trimZeros = (n: number) => String(Number(n.toFixed(9)));

/** Go's time.ParseDuration: one or more number+unit terms (1m30s, 1.5h, 500ms), in nanoseconds. */
function parseGoDuration(v: string): number {
  const units: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  if (!/^((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))+$/.test(v)) throw new InvalidArgumentError(`time: invalid duration "${v}"`);
  let ns = 0;
  for (const m of v.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)) ns += Number(m[1]) * units[m[2]!]!;
  return Math.round(ns);
}

/** HEALTHCHECK's --interval, --timeout, --start-period and --retries as HealthConfig fields. */
export function healthcheckFlags(flags: Record<string, string>): Partial<HealthConfig> {
  const out: Partial<HealthConfig> = {};
  if (flags.interval) out.Interval = parseGoDuration(flags.interval);
  if (flags.timeout) out.Timeout = parseGoDuration(flags.timeout);
  if (flags['start-period']) out.StartPeriod = parseGoDuration(flags['start-period']);
  if (flags.retries) out.Retries = Number(flags.retries);
  return out;
}
