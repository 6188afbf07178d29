import { errorMessage } from './errors.js';
import type { Logger } from './logger.js';

/**
 * Maps each record to its list view, skipping (and logging) any the view cannot read: a record
 * stored malformed by an older berth must not turn `docker ps` into a 500 for every client.
 */
export function listReadable<R, V>(logger: Logger, kind: string, records: readonly R[], view: (r: R, i: number) => V): V[] {
  const out: V[] = [];
  records.forEach((r, i) => {
    try {
      out.push(view(r, i));
    } catch (err) {
      const id = (r as { Id?: unknown; Name?: unknown } | null)?.Id ?? (r as { Name?: unknown } | null)?.Name;
      logger.warn({ kind, id, err: errorMessage(err) }, 'skipping a stored record that cannot be read');
    }
  });
  return out;
}
