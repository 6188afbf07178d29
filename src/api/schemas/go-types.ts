// A small vocabulary for Docker's request bodies as Go declares them. Each node knows its Go type
// name (as reflect prints it, for dockerd's error wording) and infers the TypeScript type the
// routes get back, so one declaration gives both the check and the typed model.

interface Base<T> {
  /** Go's name of the type: `string`, `int64`, `[]string`, `container.HostConfig`. */
  readonly go: string;
  /** Phantom: the TypeScript type a decoded value has. */
  readonly _t?: T;
}

export interface GoScalarNode<T> extends Base<T> {
  readonly kind: 'string' | 'int' | 'uint' | 'float' | 'bool';
  /** Width of an integer type; values outside it are refused as Go refuses them. */
  readonly bits?: number;
  /** Longest string accepted (a berth bound; Go has none). */
  readonly maxLength?: number;
  /** A pointer (`*string`): null is kept as null instead of leaving the field unset. */
  readonly nullable?: boolean;
}
export interface GoSliceNode<T> extends Base<T> {
  readonly kind: 'slice';
  readonly of: GoNode<unknown>;
  readonly maxItems?: number;
}
export interface GoMapNode<T> extends Base<T> {
  readonly kind: 'map';
  readonly of: GoNode<unknown>;
  readonly maxEntries?: number;
}
export interface GoStructNode<T> extends Base<T> {
  readonly kind: 'struct';
  /** The struct's own name, as Go's errors print it before the field path. */
  readonly name: string;
  readonly fields: Readonly<Record<string, GoNode<unknown>>>;
}
/** Docker's strslice.StrSlice: a JSON string or an array of strings. */
export interface GoStrSliceNode<T> extends Base<T> {
  readonly kind: 'strslice';
}
export interface GoAnyNode<T> extends Base<T> {
  readonly kind: 'any';
}

export type GoNode<T> = GoScalarNode<T> | GoSliceNode<T> | GoMapNode<T> | GoStructNode<T> | GoStrSliceNode<T> | GoAnyNode<T>;

export type Infer<N> = N extends Base<infer T> ? T : never;

type ScalarKind = GoScalarNode<unknown>['kind'];

/**
 * A decoded struct: known fields typed, unknown fields kept untyped. A null scalar is dropped in
 * decoding (Go leaves the field unset); a null slice, map or struct stays null (Go's nil).
 */
export type StructOf<F extends Record<string, GoNode<unknown>>> = {
  [K in keyof F]?: F[K] extends { kind: ScalarKind } ? Infer<F[K]> : Infer<F[K]> | null;
} & Record<string, unknown>;

/** Default bound on collections, far above any real request. */
export const MAX_ENTRIES = 10_000;
/** Default bound on one string: 1 MiB (the whole JSON body is bounded too). */
export const MAX_STRING = 1024 * 1024;

export const str = (go = 'string', maxLength = MAX_STRING): GoScalarNode<string> => ({ kind: 'string', go, maxLength });
/** A `*string` whose nil means something (a build arg taken from the environment). */
export const nullableStr = (): GoScalarNode<string | null> => ({ kind: 'string', go: 'string', maxLength: MAX_STRING, nullable: true });
export const bool = (go = 'bool'): GoScalarNode<boolean> => ({ kind: 'bool', go });
export const int = (go: 'int' | 'int64' | 'int32' | 'int16' = 'int64'): GoScalarNode<number> => ({ kind: 'int', go, bits: go === 'int' ? 64 : Number(go.slice(3)) });
export const uint = (go: 'uint' | 'uint64' | 'uint32' | 'uint16' | 'uint8' | 'os.FileMode' = 'uint64'): GoScalarNode<number> => ({
  kind: 'uint',
  go,
  bits: go === 'uint' ? 64 : go === 'os.FileMode' ? 32 : Number(go.slice(4)),
});
export const float = (): GoScalarNode<number> => ({ kind: 'float', go: 'float64' });
export const any = (): GoAnyNode<unknown> => ({ kind: 'any', go: 'interface {}' });
export const strSlice = (): GoStrSliceNode<string[]> => ({ kind: 'strslice', go: 'strslice.StrSlice' });

export function slice<N extends GoNode<unknown>>(of: N, o: { maxItems?: number; go?: string } = {}): GoSliceNode<Infer<N>[]> {
  return { kind: 'slice', of, go: o.go ?? `[]${of.go}`, maxItems: o.maxItems ?? MAX_ENTRIES };
}

export function map<N extends GoNode<unknown>>(of: N, o: { maxEntries?: number; go?: string } = {}): GoMapNode<Record<string, Infer<N>>> {
  return { kind: 'map', of, go: o.go ?? `map[string]${of.go}`, maxEntries: o.maxEntries ?? MAX_ENTRIES };
}

/** A struct; `go` is its qualified name (`container.HostConfig`), its short name comes from it. */
export function struct<F extends Record<string, GoNode<unknown>>>(go: string, fields: F): GoStructNode<StructOf<F>> {
  return { kind: 'struct', go, name: go.slice(go.lastIndexOf('.') + 1), fields };
}

/** A map[string]struct{} (Docker's port and volume sets). */
export const set = (go: string) => map(struct('struct {}', {}), { go });
