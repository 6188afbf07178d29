import type { CliEnv } from '../../cli-env.js';
import { JsonMessageError, renderJsonMessages } from '../../output/progress.js';

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

/** Pulls `ref`, its progress on stderr (bars on a terminal, status lines elsewhere) as docker shows it. */
export async function pullImage(e: CliEnv, ref: string, opts: { platform?: string; quiet?: boolean } = {}): Promise<void> {
  const messages = await e.client().images.pull({ ...pullQuery(ref), platform: opts.platform });
  if (opts.quiet) {
    for await (const m of messages) if (m.error || m.errorDetail) throw new JsonMessageError(m.errorDetail?.message ?? m.error ?? '');
    return;
  }
  const err = e.err as NodeJS.WriteStream;
  await renderJsonMessages(messages, err, { isTTY: err.isTTY === true, columns: err.columns });
}
