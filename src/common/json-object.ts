// Free-form JSON documents (request bodies as a client sent them, views a version gate rewrites):
// read field by field with a check, never trusted to have a shape.

/** A JSON object whose fields are not known in advance. */
export type JsonObject = Record<string, unknown>;

/** Whether `v` is an object one can read and set fields on (arrays included, as JSON.parse gives them). */
export function isJsonObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === 'object';
}

/** `v` if it is an object, else undefined: for `doc.Field?.Sub` chains over untrusted input. */
export function objectAt(v: unknown): JsonObject | undefined {
  return isJsonObject(v) ? v : undefined;
}

/** The objects in `v` if it is an array (other items skipped), else none. */
export function objectsIn(v: unknown): JsonObject[] {
  return Array.isArray(v) ? v.filter(isJsonObject) : [];
}

/** The object at `holder[key]`, set to a new empty one first when there is none. */
export function ensureObject(holder: JsonObject, key: string): JsonObject {
  const v = holder[key];
  if (isJsonObject(v)) return v;
  const made: JsonObject = {};
  holder[key] = made;
  return made;
}
