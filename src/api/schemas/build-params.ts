import { parseGoJson } from '../json-body.js';
import { decoder, type Decoder } from './decode.js';
import { int, map, nullableStr, slice, str, struct } from './go-types.js';

// The JSON-valued query parameters of POST /build, as moby's newImageBuildOptions reads them:
// each has its own Go type and its own words when it is wrong.

const ulimit = struct('units.Ulimit', { Name: str(), Hard: int('int64'), Soft: int('int64') });

const PREFIX = {
  buildargs: 'error reading build args: ',
  labels: 'error reading labels: ',
  cachefrom: 'error reading cache from: ',
  ulimits: 'error reading ulimit settings: ',
} as const;

const PARAMS = {
  buildargs: decoder(map(nullableStr(), { go: 'map[string]*string' }), PREFIX.buildargs),
  labels: decoder(map(str()), PREFIX.labels),
  cachefrom: decoder(slice(str()), PREFIX.cachefrom),
  ulimits: decoder(slice(ulimit, { go: '[]*units.Ulimit' }), PREFIX.ulimits),
};

type Param = keyof typeof PARAMS;
type ParamValue<P extends Param> = (typeof PARAMS)[P] extends Decoder<infer T> ? T : never;

/** A JSON query parameter of /build, parsed and checked; `fallback` when absent or empty. */
export function buildParam<P extends Param>(name: P, raw: string | undefined, fallback: NonNullable<ParamValue<P>>): NonNullable<ParamValue<P>> {
  if (!raw) return fallback;
  const value = PARAMS[name](parseGoJson(raw, PREFIX[name])) as ParamValue<P>;
  return (value ?? fallback) as NonNullable<ParamValue<P>>;
}
