// How JavaScript values stand in for Go values inside templates, and how Go's fmt prints them.
//
// undefined  = Go's invalid reflect.Value ("<no value>"), null = nil, string/number/boolean as-is,
// arrays = slices, Map and plain objects = map[string]interface{}, functions = methods.
// An object tagged with goStruct() is a struct: a missing field is an error, not "<no value>".

const STRUCT_TYPE = Symbol('berth.goStructType');
const FORMATTER_CONTEXT = Symbol('berth.formatterContext');

/** Marks `obj` as a Go struct named `typeName` (e.g. "types.ContainerJSON"). */
export function goStruct<T extends object>(obj: T, typeName: string): T {
  Object.defineProperty(obj, STRUCT_TYPE, { value: typeName, enumerable: false });
  return obj;
}

/**
 * Marks `obj` as one of docker/cli's formatter contexts (`*formatter.ContainerContext`): a struct
 * whose fields are methods, and whose JSON (its MarshalJSON) is a map of every zero-argument
 * method's result, keys sorted, HTML-escaped.
 */
export function goFormatterContext<T extends object>(obj: T, typeName: string): T {
  goStruct(obj, typeName);
  Object.defineProperty(obj, FORMATTER_CONTEXT, { value: true, enumerable: false });
  return obj;
}

export function isFormatterContext(value: unknown): boolean {
  return value !== null && typeof value === 'object' && (value as { [FORMATTER_CONTEXT]?: boolean })[FORMATTER_CONTEXT] === true;
}

export function structTypeName(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  return (value as { [STRUCT_TYPE]?: string })[STRUCT_TYPE];
}

export type GoKind = 'invalid' | 'nil' | 'string' | 'int' | 'float' | 'bool' | 'slice' | 'map' | 'struct' | 'func';

export function kindOf(value: unknown): GoKind {
  if (value === undefined) return 'invalid';
  if (value === null) return 'nil';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'number':
      return Number.isInteger(value) ? 'int' : 'float';
    case 'bigint':
      return 'int';
    case 'boolean':
      return 'bool';
    case 'function':
      return 'func';
  }
  if (Array.isArray(value) || value instanceof Uint8Array) return 'slice';
  if (structTypeName(value) !== undefined) return 'struct';
  return 'map';
}

/** Go's type names, as they appear in error messages. */
export function goTypeName(value: unknown): string {
  switch (kindOf(value)) {
    case 'invalid':
      return '<nil>';
    case 'nil':
      return 'interface {}';
    case 'string':
      return 'string';
    case 'int':
      return 'int';
    case 'float':
      return 'float64';
    case 'bool':
      return 'bool';
    case 'slice':
      return '[]interface {}';
    case 'struct':
      return structTypeName(value)!;
    case 'func':
      return 'func() interface {}';
    case 'map':
      return 'map[string]interface {}';
  }
}

/** Entries of a Go map in Go's printing order (sorted keys). */
export function mapEntries(value: object): [string, unknown][] {
  const entries: [string, unknown][] =
    value instanceof Map ? [...value.entries()].map(([k, v]) => [String(k), v]) : Object.entries(value);
  return entries.sort((a, b) => compareKeys(a[0], b[0]));
}

/** Struct fields keep declaration (insertion) order. */
export function structEntries(value: object): [string, unknown][] {
  return Object.entries(value);
}

function compareKeys(a: string, b: string): number {
  // Go sorts map keys bytewise; for strings JS code-unit order matches outside astral planes.
  return a < b ? -1 : a > b ? 1 : 0;
}

export function mapGet(value: object, key: string): unknown {
  if (value instanceof Map) return value.get(key);
  return Object.prototype.hasOwnProperty.call(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}

export function mapHas(value: object, key: string): boolean {
  if (value instanceof Map) return value.has(key);
  return Object.prototype.hasOwnProperty.call(value, key);
}

export function lengthOf(value: unknown): number | undefined {
  switch (kindOf(value)) {
    case 'string':
      return Buffer.byteLength(value as string);
    case 'slice':
      return (value as unknown[]).length;
    case 'map':
      return value instanceof Map ? value.size : Object.keys(value as object).length;
    default:
      return undefined;
  }
}

/** Go template truth: false, 0, nil, empty string/slice/map and "no value" are false. */
export function isTrue(value: unknown): boolean {
  switch (kindOf(value)) {
    case 'invalid':
    case 'nil':
      return false;
    case 'bool':
      return value as boolean;
    case 'int':
    case 'float':
      return Number(value) !== 0;
    case 'string':
    case 'slice':
    case 'map':
      return lengthOf(value)! > 0;
    case 'struct':
    case 'func':
      return true;
  }
}

/** Formats a float the way Go's %v does (strconv 'g', shortest: exponent form from 1e+06 up). */
export function formatGoFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const exp = Math.floor(Math.log10(Math.abs(n)));
  if (exp < -4 || exp >= 6) return goExponent(n.toExponential());
  return String(n);
}

/** JS "1.5e+7" / "1e-7" → Go "1.5e+07" / "1e-07" (at least two exponent digits). */
export function goExponent(s: string): string {
  return s.replace(/e([+-])(\d)$/, 'e$10$2');
}

/** Go's fmt %v of a value, as a template action prints it. */
export function formatValue(value: unknown): string {
  switch (kindOf(value)) {
    case 'invalid':
      return '<no value>';
    case 'nil':
      return '<nil>';
    case 'string':
      return value as string;
    case 'int':
      return typeof value === 'bigint' ? value.toString() : (value as number).toFixed(0);
    case 'float':
      return formatGoFloat(value as number);
    case 'bool':
      return value ? 'true' : 'false';
    case 'slice':
      return '[' + Array.from(value as ArrayLike<unknown>, formatElement).join(' ') + ']';
    case 'map':
      return 'map[' + mapEntries(value as object).map(([k, v]) => `${k}:${formatElement(v)}`).join(' ') + ']';
    case 'struct':
      return '{' + structEntries(value as object).map(([, v]) => formatElement(v)).join(' ') + '}';
    case 'func':
      return '<func>';
  }
}

function formatElement(value: unknown): string {
  return value === undefined ? '<nil>' : formatValue(value);
}
