import { InvalidArgumentError } from '../../common/errors.js';
import type { GoNode, GoScalarNode, GoStructNode, Infer } from './go-types.js';

// Checks a parsed JSON body against its Go declaration the way Go's encoding/json decodes it:
// keys match fields case-insensitively, unknown keys are ignored (and kept), null is accepted
// anywhere (a null scalar leaves the field unset), and a wrong type is refused with dockerd's
// wording: `json: cannot unmarshal number into Go struct field ContainerConfigWrapper.Cmd of type
// string`. One pass over the body, in place, linear in its size.
//
// Why not ajv: compiling Docker's bodies (a HostConfig alone has ~90 typed fields) took ~450 ms
// of blocked event loop at start-up, and every Go rule here (null, case folding, StrSlice, the
// error's struct path) needed a custom keyword anyway; the walk below is what ajv would run.

const INT_RANGE: Record<string, [number, number]> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  uint8: [0, 255],
  uint16: [0, 65535],
  uint32: [0, 4294967295],
  'os.FileMode': [0, 4294967295],
};

/** Go's name for the kind of a JSON value, as its UnmarshalTypeError prints it. */
function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'bool';
  return typeof v; // string, number, object
}

/** Where the walk is, as Go's decoder tracks it: the innermost struct and the field names to here. */
interface Trail {
  struct?: string;
  fields: string[];
}

class Refused {
  constructor(
    /** Go's description of the value ("number", "number 1.5") or a berth bound's message. */
    readonly what: string,
    readonly goType: string,
    readonly trail: Trail,
    readonly bound = false,
  ) {}
}

const DROP = Symbol('drop');

function fieldName(t: Trail): string {
  return t.fields.length ? `${t.struct}.${t.fields.join('.')}` : 'body';
}

function scalar(n: GoScalarNode<unknown>, v: unknown, t: Trail, inList: boolean): unknown {
  if (v === null) {
    if (n.nullable) return null;
    // Go leaves the field as it was: unset in a struct, the zero value in a list.
    if (!inList) return DROP;
    return n.kind === 'string' ? '' : n.kind === 'bool' ? false : 0;
  }
  const refuse = (what = jsonKind(v)) => new Refused(what, n.go, t);
  switch (n.kind) {
    case 'string':
      if (typeof v !== 'string') throw refuse();
      if (n.maxLength !== undefined && v.length > n.maxLength) {
        throw new Refused(`${fieldName(t)}: string too long (at most ${n.maxLength} characters)`, n.go, t, true);
      }
      return v;
    case 'bool':
      if (typeof v !== 'boolean') throw refuse();
      return v;
    case 'float':
      // Old clients send numbers as decimal strings: taken as the numbers.
      if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) return Number(v);
      if (typeof v !== 'number') throw refuse();
      return v;
    default: {
      let num: number;
      if (typeof v === 'number') num = v;
      else if (typeof v === 'string' && /^-?\d{1,15}$/.test(v)) num = Number(v);
      else throw refuse();
      const [min, max] = INT_RANGE[n.go] ?? [n.kind === 'uint' ? 0 : Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER];
      // Go keeps 64-bit integers exactly; past 2^53 JavaScript cannot, so those are refused too.
      if (!Number.isInteger(num) || num < min! || num > max!) throw refuse(typeof v === 'string' ? 'string' : `number ${String(v)}`);
      return num;
    }
  }
}

const foldCache = new WeakMap<GoStructNode<unknown>, Map<string, string>>();

/** Go matches a key to a field ignoring case; the exact spelling wins when both are sent. */
function fieldFor(n: GoStructNode<unknown>, key: string, obj: Record<string, unknown>): string | undefined {
  if (Object.hasOwn(n.fields, key)) return key;
  let byLower = foldCache.get(n);
  if (!byLower) foldCache.set(n, (byLower = new Map(Object.keys(n.fields).map((f) => [f.toLowerCase(), f]))));
  const canonical = byLower.get(key.toLowerCase());
  return canonical && !Object.hasOwn(obj, canonical) ? canonical : undefined;
}

function walk(n: GoNode<unknown>, v: unknown, t: Trail, inList = false): unknown {
  switch (n.kind) {
    case 'any':
      return v;
    case 'strslice': {
      // strslice.StrSlice: one string is a one-element list; elements must be strings (null is "").
      // Its nested json.Unmarshal makes Go report an element as `of type string`.
      if (v === null || v === undefined) return v;
      if (typeof v === 'string') return [v];
      if (!Array.isArray(v)) throw new Refused(jsonKind(v), 'string', t);
      for (let i = 0; i < v.length; i++) {
        if (v[i] === null) v[i] = '';
        else if (typeof v[i] !== 'string') throw new Refused(jsonKind(v[i]), 'string', t);
      }
      return v;
    }
    case 'slice': {
      if (v === null) return null;
      if (!Array.isArray(v)) throw new Refused(jsonKind(v), n.go, t);
      if (n.maxItems !== undefined && v.length > n.maxItems) throw new Refused(`${fieldName(t)}: too many entries (at most ${n.maxItems})`, n.go, t, true);
      for (let i = 0; i < v.length; i++) v[i] = walk(n.of, v[i], t, true);
      return v;
    }
    case 'map': {
      if (v === null) return null;
      if (typeof v !== 'object' || Array.isArray(v)) throw new Refused(jsonKind(v), n.go, t);
      const obj = v as Record<string, unknown>;
      const keys = Object.keys(obj);
      if (n.maxEntries !== undefined && keys.length > n.maxEntries) {
        throw new Refused(`${fieldName(t)}: too many entries (at most ${n.maxEntries})`, n.go, t, true);
      }
      for (const k of keys) {
        const out = walk(n.of, obj[k], t, true);
        obj[k] = out;
      }
      return obj;
    }
    case 'struct': {
      if (v === null) return null;
      if (typeof v !== 'object' || Array.isArray(v)) throw new Refused(jsonKind(v), n.go, t);
      const obj = v as Record<string, unknown>;
      for (const key of Object.keys(obj)) {
        const field = fieldFor(n, key, obj);
        if (!field) continue; // unknown: Go ignores it
        const out = walk(n.fields[field]!, obj[key], { struct: n.name, fields: [...t.fields, field] });
        if (field !== key) delete obj[key];
        if (out === DROP) delete obj[field];
        else obj[field] = out;
      }
      return obj;
    }
    default:
      return scalar(n, v, t, inList);
  }
}

export interface Decoder<T> {
  /** Checks (and normalises in place) a parsed body; throws InvalidArgumentError as dockerd words it. */
  (body: unknown): T;
}

/**
 * A decoder for one body declaration. `prefix` starts each message: dockerd wraps body errors as
 * "invalid JSON: …", and query parameters holding JSON with their own words ("error reading build
 * args: …").
 */
export function decoder<N extends GoNode<unknown>>(node: N, prefix = 'invalid JSON: '): Decoder<Infer<N>> {
  return (body: unknown) => {
    if (body === null || body === undefined) return (node.kind === 'struct' ? {} : null) as Infer<N>;
    try {
      return walk(node, body, { fields: [] }) as Infer<N>;
    } catch (err) {
      if (!(err instanceof Refused)) throw err;
      if (err.bound) throw new InvalidArgumentError(`${prefix}${err.what}`);
      const into = err.trail.fields.length ? `Go struct field ${fieldName(err.trail)}` : 'Go value';
      throw new InvalidArgumentError(`${prefix}json: cannot unmarshal ${err.what} into ${into} of type ${err.goType}`);
    }
  };
}
