import { InvalidArgumentError } from './errors.js';
import { parseTimeParam } from './time-param.js';

/**
 * Docker's list and prune filters (moby api/types/filters): one key to many values. Every list and
 * prune endpoint parses with `parseFilters`, checks its keys with `validateFilters` and matches with
 * the helpers below, so a label or a time means the same thing everywhere.
 */
export type FilterArgs = Record<string, string[]>;

/** The `filters` query value: `{"label":{"a=b":true}}` or the old `{"label":["a=b"]}` form. */
export function parseFilters(raw: string | null | undefined): FilterArgs {
  if (!raw) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new InvalidArgumentError(`invalid filter '${raw}'`);
  }
  const out: FilterArgs = {};
  if (!parsed || typeof parsed !== 'object') return out;
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    if (Array.isArray(v)) out[k] = v.map(String);
    else if (v && typeof v === 'object') out[k] = Object.entries(v as Record<string, unknown>).filter(([, on]) => on).map(([x]) => x);
    else throw new InvalidArgumentError(`invalid filter '${raw}'`);
  }
  return out;
}

/** dockerd's Validate: a key the endpoint does not know is a 400 naming it. */
export function validateFilters(f: FilterArgs, accepted: Iterable<string>): void {
  const known = new Set(accepted);
  for (const key of Object.keys(f)) if (!known.has(key)) throw new InvalidArgumentError(`invalid filter '${key}'`);
}

/** The values given for `key` (empty when none). */
export function filterValues(f: FilterArgs, key: string): string[] {
  return f[key] ?? [];
}

/** True when the filter names `key` with at least one value. */
export function hasFilter(f: FilterArgs, key: string): boolean {
  return (f[key]?.length ?? 0) > 0;
}

/** ExactMatch: no values for `key` match everything, otherwise `value` must be one of them. */
export function exactMatch(f: FilterArgs, key: string, value: string): boolean {
  const want = f[key];
  return !want?.length || want.includes(value);
}

/** FuzzyMatch: as exactMatch, or `value` starts with one of the given values (ids, names). */
export function fuzzyMatch(f: FilterArgs, key: string, value: string): boolean {
  const want = f[key];
  return !want?.length || want.some((w) => value === w || value.startsWith(w));
}

/** One `key` or `key=value` entry against a label map (the value may itself hold `=`). */
export function matchKV(entry: string, labels: Record<string, string> | null | undefined): boolean {
  if (!labels) return false;
  const i = entry.indexOf('=');
  if (i < 0) return Object.hasOwn(labels, entry);
  const k = entry.slice(0, i);
  return Object.hasOwn(labels, k) && labels[k] === entry.slice(i + 1);
}

/** MatchKVList: every entry of `key` must match; no entries match everything. */
export function matchKVList(f: FilterArgs, key: string, labels: Record<string, string> | null | undefined): boolean {
  const want = f[key];
  if (!want?.length) return true;
  return want.every((e) => matchKV(e, labels));
}

/**
 * `label` and `label!` together, as dockerd's prune and list: every `label` entry must match, and a
 * record is left out when it matches every `label!` entry.
 */
export function matchLabels(f: FilterArgs, labels: Record<string, string> | null | undefined): boolean {
  if (!matchKVList(f, 'label', labels)) return false;
  if (hasFilter(f, 'label!') && matchKVList(f, 'label!', labels)) return false;
  return true;
}

/** The boolean filters (`dangling`, `all`) as Go's strconv.ParseBool, at most one value. */
export function filterBool(f: FilterArgs, key: string): boolean | undefined {
  const values = f[key];
  if (!values?.length) return undefined;
  if (values.length > 1) throw new InvalidArgumentError(`invalid filter '${key}=[${values.join(' ')}]': only one value is expected`);
  const v = values[0]!;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  throw new InvalidArgumentError(`invalid filter '${key}': strconv.ParseBool: parsing "${v}": invalid syntax`);
}

/**
 * The `until` (or `since`) filter as nanoseconds since the epoch: a unix timestamp, an RFC 3339
 * date or a Go duration counted back from now. Undefined when the filter is absent; dockerd reads
 * one value only.
 */
export function filterTime(f: FilterArgs, key: string, now = Date.now()): number | undefined {
  const values = f[key];
  if (!values?.length) return undefined;
  if (values.length > 1) throw new InvalidArgumentError(`invalid filter '${key}=[${values.join(' ')}]': only one value is expected`);
  return parseTimeParam(values[0], key, now);
}

/** True when `created` (an RFC 3339 date or epoch milliseconds) lies before the `until` filter. */
export function createdBefore(f: FilterArgs, created: string | number, now = Date.now()): boolean {
  const until = filterTime(f, 'until', now);
  if (until === undefined) return true;
  const ms = typeof created === 'number' ? created : Date.parse(created);
  return ms * 1e6 < until;
}
