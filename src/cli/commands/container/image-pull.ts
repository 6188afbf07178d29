import { readJsonLines } from '../../../client/api-client.js';
import type { CliEnv } from '../../cli-env.js';

// `run`/`create`'s implicit pull: POST /images/create and its progress on stderr.

/** `busybox` → `busybox:latest`; a reference with a tag or digest stays as it is. */
export function withDefaultTag(ref: string): string {
  if (ref.includes('@')) return ref;
  const lastSegment = ref.slice(ref.lastIndexOf('/') + 1);
  return lastSegment.includes(':') ? ref : `${ref}:latest`;
}

/** Splits into POST /images/create's `fromImage` and `tag`. */
export function pullQuery(ref: string): { fromImage: string; tag: string } {
  const full = withDefaultTag(ref);
  const at = full.indexOf('@');
  if (at >= 0) return { fromImage: full.slice(0, at), tag: full.slice(at + 1) };
  const colon = full.lastIndexOf(':');
  return { fromImage: full.slice(0, colon), tag: full.slice(colon + 1) };
}

/** Pulls `ref`; progress goes to stderr (status lines, as docker prints them off a terminal). */
export async function pullImage(e: CliEnv, ref: string, opts: { platform?: string; quiet?: boolean } = {}): Promise<void> {
  const res = await e.client().stream('POST', '/images/create', { query: { ...pullQuery(ref), platform: opts.platform || undefined } });
  const lastStatus = new Map<string, string>();
  for await (const msg of readJsonLines(res)) {
    if (msg.error || msg.errorDetail) throw new Error(msg.errorDetail?.message ?? msg.error);
    if (opts.quiet || !msg.status) continue;
    // Off a terminal docker prints each layer's status once per change, without progress bars.
    const key = msg.id ?? '';
    if (msg.progressDetail && Object.keys(msg.progressDetail).length && lastStatus.get(key) === msg.status) continue;
    lastStatus.set(key, msg.status);
    e.err.write(msg.id ? `${msg.id}: ${msg.status}\n` : `${msg.status}\n`);
  }
}
