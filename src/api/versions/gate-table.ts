import type { JsonObject } from '../../common/json-object.js';
import { compareVersions } from '../version.js';

/**
 * One version gate, as dockerd writes them beside the field (`versions.LessThan(v, "1.45")`):
 * `apply` runs for requests whose negotiated version is below `below`, or at least `from`.
 * Views are built in the newest shape; the gates turn them (or a request) into the old one.
 */
export interface Gate<T, O = undefined> {
  below?: string;
  from?: string;
  /** What changes, in the words of moby's version history. */
  what: string;
  apply(value: T, opts: O): void;
}

export function gateApplies(g: { below?: string; from?: string }, version: string): boolean {
  if (g.below !== undefined && compareVersions(version, g.below) >= 0) return false;
  if (g.from !== undefined && compareVersions(version, g.from) < 0) return false;
  return true;
}

/**
 * Runs every gate of a table that applies to `version`, in table order; mutates and returns `value`.
 * A table of JSON gates takes any view or body, typed or not: its gates read and rewrite the fields
 * of the document it is sent as (or was decoded from) with a check each, so they need no shape.
 */
export function applyGates<V extends object, O>(table: readonly Gate<JsonObject, O>[], version: string, value: V, opts: O): V;
export function applyGates<V extends object>(table: readonly Gate<JsonObject>[], version: string, value: V): V;
export function applyGates<T, O>(table: readonly Gate<T, O>[], version: string, value: T, opts: O): T;
export function applyGates<T>(table: readonly Gate<T>[], version: string, value: T): T;
export function applyGates<T, O>(table: readonly Gate<T, O>[], version: string, value: T, opts?: O): T {
  for (const g of table) if (gateApplies(g, version)) g.apply(value, opts as O);
  return value;
}

/** Go's sliceutil.Dedup: first occurrence wins, order kept. */
export function dedup<T>(list: T[]): T[] {
  return [...new Set(list)];
}
