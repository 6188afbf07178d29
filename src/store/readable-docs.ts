// Stored documents read back. A row an older berth stored malformed (a label map that is a
// number, a doc that is not JSON) must not turn a listing into a 500 for every client: a doc that
// cannot be read at all is skipped, a malformed map in it is repaired to what it can keep, and
// each is reported. The daemon decides where reports go (its log).

export type UnreadableListener = (kind: string, key: string, what: string) => void;

let listener: UnreadableListener = () => undefined;

/** Where skipped and repaired records are reported; the daemon points this at its logger. */
export function onUnreadableRecord(l: UnreadableListener): void {
  listener = l;
}

/** Reports a record skipped or repaired by a reader of its own. */
export function reportUnreadable(kind: string, key: string, what: string): void {
  listener(kind, key, what);
}

/**
 * `doc[field]` as a map of strings (or null): anything else is cut down to its string entries.
 * Returns a note when it had to repair.
 */
export function repairStringMap(doc: Record<string, unknown>, field: string): string | undefined {
  const v = doc[field];
  if (v === null || v === undefined) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) {
    doc[field] = {};
    return `${field} was not a map`;
  }
  const bad = Object.entries(v).filter(([, x]) => typeof x !== 'string');
  if (!bad.length) return undefined;
  doc[field] = Object.fromEntries(Object.entries(v).filter(([, x]) => typeof x === 'string'));
  return `${field} had values that are not strings`;
}

export interface DocCheck {
  /** Why the doc cannot be used at all (it is then skipped), or undefined. */
  unusable(doc: Record<string, unknown>): string | undefined;
  /** Repairs what it can in place (on a doc `unusable` passed); returns notes of what it changed. */
  repair?(doc: Record<string, unknown>): (string | undefined)[];
}

/** Parses each row's JSON doc, skipping what cannot be used and repairing what can. */
export function readableDocs<T>(kind: string, rows: { doc: string }[], key: (doc: Record<string, unknown>) => unknown, check: DocCheck): T[] {
  const out: T[] = [];
  rows.forEach((r, i) => {
    let doc: unknown;
    try {
      doc = JSON.parse(r.doc);
    } catch (err) {
      listener(kind, `row ${i}`, `skipped: not JSON (${(err as Error).message})`);
      return;
    }
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
      listener(kind, `row ${i}`, 'skipped: not an object');
      return;
    }
    const d = doc as Record<string, unknown>;
    const why = check.unusable(d);
    if (why) {
      listener(kind, String(key(d) ?? `row ${i}`), `skipped: ${why}`);
      return;
    }
    for (const note of check.repair?.(d) ?? []) if (note) listener(kind, String(key(d)), `repaired: ${note}`);
    // The check above is what makes the doc a T: its fields the readers rely on are there.
    out.push(d as T);
  });
  return out;
}
