// Go's encoding/json output as docker's `json` template function produces it: compact, no HTML
// escaping (docker calls SetEscapeHTML(false)), map keys sorted, struct fields in declaration order.
import { isFormatterContext, kindOf, mapEntries, structEntries } from './go-value.js';

// Go struct fields are exported, so capitalised; an object with any other key is a map.
const EXPORTED_FIELD = /^[A-Z]/;

export function goJson(value: unknown, escapeHTML = false): string {
  const json = (v: unknown): string => goJson(v, escapeHTML);
  const jsonObject = (entries: [string, unknown][]): string => {
    const parts: string[] = [];
    for (const [k, v] of entries) {
      if (v === undefined || typeof v === 'function') continue;
      parts.push(jsonString(k, escapeHTML) + ':' + json(v));
    }
    return '{' + parts.join(',') + '}';
  };
  if (isFormatterContext(value)) return goJson(Object.fromEntries(contextFields(value as object)), true);
  switch (kindOf(value)) {
    case 'invalid':
    case 'nil':
    case 'func':
      return 'null';
    case 'string':
      return jsonString(value as string, escapeHTML);
    case 'int':
      return String(value);
    case 'float':
      return jsonFloat(value as number);
    case 'bool':
      return value ? 'true' : 'false';
    case 'slice':
      if (value instanceof Uint8Array) return jsonString(Buffer.from(value).toString('base64'));
      return '[' + (value as unknown[]).map(json).join(',') + ']';
    case 'struct':
      return jsonObject(structEntries(value as object));
    case 'map': {
      const obj = value as object;
      const keys = obj instanceof Map ? [] : Object.keys(obj);
      const looksLikeStruct = !(obj instanceof Map) && keys.length > 0 && keys.every((k) => EXPORTED_FIELD.test(k));
      return jsonObject(looksLikeStruct ? structEntries(obj) : mapEntries(obj));
    }
  }
}

/** A formatter context's fields: plain values, and the results of its zero-argument methods. */
function contextFields(obj: object): [string, unknown][] {
  const entries: [string, unknown][] = [];
  for (const [k, v] of Object.entries(obj)) {
    if (typeof v !== 'function') entries.push([k, v]);
    else if (v.length === 0) entries.push([k, (v as () => unknown).call(obj)]);
  }
  return entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Go escapes U+2028/U+2029 too; JSON.stringify already writes \b \f \n \r \t and \u00xx like Go. */
export function jsonString(s: string, escapeHTML = false): string {
  const escaped = escapeHTML ? /[\u2028\u2029<>&]/g : /[\u2028\u2029]/g;
  return JSON.stringify(s.replace(LONE_SURROGATE, '\ufffd')).replace(escaped, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

/** Go uses plain decimal unless the exponent is < -6 or >= 21, then e-notation with 2+ digits. */
function jsonFloat(n: number): string {
  if (!Number.isFinite(n)) return 'null';
  const abs = Math.abs(n);
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) {
    return n.toExponential();
  }
  return String(n);
}
