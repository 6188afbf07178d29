// The functions a template can call: Go's text/template builtins and the ones docker/cli adds
// (json, join, split, title, lower, upper, pad, truncate). Each throws a plain Error whose
// message the executor reports as Go does ("error calling index: ...").
import { goJson } from './go-json.js';
import { sprint, sprintf, sprintln } from './go-printf.js';
import { formatValue, goTypeName, isTrue, kindOf, lengthOf, mapGet } from './go-value.js';

export interface TemplateFunction {
  /** Fixed arity, or the minimum when `variadic`. */
  arity: number;
  variadic?: boolean;
  fn: (...args: unknown[]) => unknown;
}

export type FuncMap = Record<string, TemplateFunction>;

/** Thrown for argument-count and argument-type problems Go reports without "error calling". */
export class CallError extends Error {}

function asString(v: unknown): string {
  if (typeof v === 'string') return v;
  throw new CallError(`wrong type for value; expected string; got ${goTypeName(v)}`);
}

function asInt(v: unknown): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  throw new CallError(`wrong type for value; expected int; got ${goTypeName(v)}`);
}

function indexArg(v: unknown, cap: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new Error(v === undefined || v === null ? 'cannot index slice/array with nil' : `cannot index slice/array with type ${goTypeName(v)}`);
  }
  if (v < 0 || v > cap) throw new Error(`index out of range: ${v}`);
  return v;
}

function index(item: unknown, ...indexes: unknown[]): unknown {
  if (item === undefined || item === null) throw new Error('index of untyped nil');
  let cur: unknown = item;
  for (const key of indexes) {
    switch (kindOf(cur)) {
      case 'slice': {
        const arr = cur as unknown[];
        const i = indexArg(key, arr.length);
        if (i === arr.length) throw new Error(`index out of range: ${i}`);
        cur = arr[i];
        break;
      }
      case 'string': {
        const buf = Buffer.from(cur as string);
        const i = indexArg(key, buf.length);
        if (i === buf.length) throw new Error(`index out of range: ${i}`);
        cur = buf[i];
        break;
      }
      case 'map':
        if (typeof key !== 'string') throw new Error(`value has type ${goTypeName(key)}; should be string`);
        cur = mapGet(cur as object, key);
        break;
      case 'invalid':
      case 'nil':
        throw new Error('index of untyped nil');
      default:
        throw new Error(`can't index item of type ${goTypeName(cur)}`);
    }
  }
  return cur;
}

function slice(item: unknown, ...indexes: unknown[]): unknown {
  if (item === undefined || item === null) throw new Error('slice of untyped nil');
  if (indexes.length > 3) throw new Error(`too many slice indexes: ${indexes.length}`);
  const kind = kindOf(item);
  if (kind !== 'string' && kind !== 'slice') throw new Error(`can't slice item of type ${goTypeName(item)}`);
  if (kind === 'string' && indexes.length === 3) throw new Error('cannot 3-index slice a string');
  const len = kind === 'string' ? Buffer.byteLength(item as string) : (item as unknown[]).length;
  const idx = indexes.map((v) => indexArg(v, len));
  const [from = 0, to = len] = idx;
  if (from > to) throw new Error(`invalid slice index: ${from} > ${to}`);
  if (kind === 'string') return Buffer.from(item as string).subarray(from, to).toString();
  return (item as unknown[]).slice(from, to);
}

function length(item: unknown): number {
  if (item === undefined || item === null) throw new Error('len of nil pointer');
  const n = lengthOf(item);
  if (n === undefined) throw new Error(`len of type ${goTypeName(item)}`);
  return n;
}

type BasicKind = 'bool' | 'number' | 'string' | 'invalid' | 'other';

function basicKind(v: unknown): BasicKind {
  switch (kindOf(v)) {
    case 'bool':
      return 'bool';
    case 'int':
    case 'float':
      return 'number';
    case 'string':
      return 'string';
    case 'invalid':
    case 'nil':
      return 'invalid';
    default:
      return 'other';
  }
}

function eq(a: unknown, ...rest: unknown[]): boolean {
  if (rest.length === 0) throw new Error('missing argument for comparison');
  const ka = basicKind(a);
  for (const b of rest) {
    const kb = basicKind(b);
    if (ka !== kb) {
      if (ka !== 'invalid' && kb !== 'invalid') throw new Error('incompatible types for comparison');
      continue;
    }
    if (ka === 'other') throw new Error(`non-comparable type ${formatValue(a)}: ${goTypeName(a)}`);
    if (ka === 'invalid' || a === b) return true;
  }
  return false;
}

function lessThan(a: unknown, b: unknown): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka === 'invalid' || ka === 'other' || ka === 'bool' || kb === 'invalid' || kb === 'other' || kb === 'bool') {
    throw new Error('invalid type for comparison');
  }
  if (ka !== kb) throw new Error('incompatible types for comparison');
  return (a as number | string) < (b as number | string);
}

function htmlEscape(s: string): string {
  return s.replace(/[\0"'&<>]/g, (c) => ({ '\0': '\uFFFD', '"': '&#34;', "'": '&#39;', '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!);
}

function jsEscape(s: string): string {
  return s.replace(/[\\'"<>&=\n\r\t\0-\x1f]/g, (c) => {
    const named: Record<string, string> = { '\\': '\\\\', "'": "\\'", '"': '\\"' };
    return named[c] ?? '\\u' + c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
  });
}

/** Go's url.QueryEscape. */
function queryEscape(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase()).replace(/%20/g, '+');
}

/** Go's deprecated strings.Title: upper-case the first letter of every word. */
function title(s: string): string {
  let prevIsSeparator = true;
  let out = '';
  for (const ch of s) {
    out += prevIsSeparator ? ch.toUpperCase() : ch;
    prevIsSeparator = !/[\p{L}\p{Nd}_]/u.test(ch);
  }
  return out;
}

function evalArgsString(args: unknown[]): string {
  return args.length === 1 && typeof args[0] === 'string' ? args[0] : sprint(args);
}

export const BUILTIN_FUNCS: FuncMap = {
  // and/or are short-circuited by the executor; these run when it evaluates eagerly.
  and: { arity: 1, variadic: true, fn: (...a) => a.find((v) => !isTrue(v)) ?? a[a.length - 1] },
  or: { arity: 1, variadic: true, fn: (...a) => a.find((v) => isTrue(v)) ?? a[a.length - 1] },
  not: { arity: 1, fn: (a) => !isTrue(a) },
  len: { arity: 1, fn: length },
  index: { arity: 1, variadic: true, fn: index },
  slice: { arity: 1, variadic: true, fn: slice },
  print: { arity: 0, variadic: true, fn: (...a) => sprint(a) },
  printf: { arity: 1, variadic: true, fn: (f, ...a) => sprintf(asString(f), a) },
  println: { arity: 0, variadic: true, fn: (...a) => sprintln(a) },
  eq: { arity: 1, variadic: true, fn: eq },
  ne: { arity: 2, fn: (a, b) => !eq(a, b) },
  lt: { arity: 2, fn: lessThan },
  le: { arity: 2, fn: (a, b) => lessThan(a, b) || eq(a, b) },
  gt: { arity: 2, fn: (a, b) => !lessThan(a, b) && !eq(a, b) },
  ge: { arity: 2, fn: (a, b) => !lessThan(a, b) },
  html: { arity: 0, variadic: true, fn: (...a) => htmlEscape(evalArgsString(a)) },
  js: { arity: 0, variadic: true, fn: (...a) => jsEscape(evalArgsString(a)) },
  urlquery: { arity: 0, variadic: true, fn: (...a) => queryEscape(evalArgsString(a)) },
  call: {
    arity: 1,
    variadic: true,
    fn: (f, ...a) => {
      if (typeof f !== 'function') throw new Error(`non-function of type ${goTypeName(f)}`);
      return (f as (...x: unknown[]) => unknown)(...a);
    },
  },
};

/** docker/cli's templates.basicFunctions. */
export const DOCKER_FUNCS: FuncMap = {
  json: { arity: 1, fn: (v) => goJson(v) },
  split: { arity: 2, fn: (s, sep) => (asString(sep) === '' ? [...asString(s)] : asString(s).split(asString(sep))) },
  join: {
    arity: 2,
    fn: (elems, sep) => {
      if (!Array.isArray(elems)) throw new CallError(`wrong type for value; expected []string; got ${goTypeName(elems)}`);
      return elems.map((e) => formatValue(e)).join(asString(sep));
    },
  },
  title: { arity: 1, fn: (s) => title(asString(s)) },
  lower: { arity: 1, fn: (s) => asString(s).toLowerCase() },
  upper: { arity: 1, fn: (s) => asString(s).toUpperCase() },
  pad: { arity: 3, fn: (s, prefix, suffix) => ' '.repeat(Math.max(0, asInt(prefix))) + asString(s) + ' '.repeat(Math.max(0, asInt(suffix))) },
  truncate: {
    arity: 2,
    fn: (s, n) => {
      const str = asString(s);
      const len = asInt(n);
      return Buffer.byteLength(str) < len ? str : Buffer.from(str).subarray(0, Math.max(0, len)).toString();
    },
  },
};

/**
 * docker/cli's templates.HeaderFunctions: while rendering a table header the data is a map of
 * column titles, so the string functions hand their input back unchanged.
 */
export const DOCKER_HEADER_FUNCS: FuncMap = {
  json: { arity: 1, fn: (v) => v },
  split: { arity: 2, fn: (v) => v },
  join: { arity: 2, fn: (v) => v },
  title: { arity: 1, fn: (v) => v },
  lower: { arity: 1, fn: (v) => v },
  upper: { arity: 1, fn: (v) => v },
  truncate: { arity: 2, fn: (v) => v },
};
