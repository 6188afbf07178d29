import { readAll } from '../../../client/api-client.js';
import type { CliEnv } from '../../cli-env.js';
import { DEFAULT_DETACH_KEYS, parseDetachKeys } from '../../streams/detach-keys.js';
import { sessionOnStdio, withTerminal } from '../../streams/terminal-session.js';

// The attached half of `run` and `start -a`, in docker's order: attach and ask for the exit
// status BEFORE starting (so no output and no exit is missed), start, stream, report the status.

export interface AttachedStartOptions {
  id: string;
  tty: boolean;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  detachKeys?: string;
  sigProxy: boolean;
  /** --rm: wait for the removal, not just the exit. */
  autoRemove: boolean;
  /** Starts the container; what it throws is reported by the caller. */
  start: () => Promise<void>;
}

/** Result: the container's exit status, or 'detached' when the detach keys were typed. */
export async function attachAndStart(e: CliEnv, o: AttachedStartOptions): Promise<number | 'detached'> {
  const client = e.client();
  const detachKeys = parseDetachKeys(o.detachKeys || DEFAULT_DETACH_KEYS);
  const attached =
    o.stdin || o.stdout || o.stderr
      ? await client.hijack(`/containers/${encodeURIComponent(o.id)}/attach`, {
          query: { stream: 1, stdin: o.stdin ? 1 : undefined, stdout: o.stdout ? 1 : undefined, stderr: o.stderr ? 1 : undefined, detachKeys: o.detachKeys || undefined },
        })
      : undefined;
  const waitRes = await client.stream('POST', `/containers/${encodeURIComponent(o.id)}/wait`, { query: { condition: o.autoRemove ? 'removed' : 'next-exit' } });
  const status = readAll(waitRes).then((body) => JSON.parse(body.toString('utf8') || '{}') as { StatusCode?: number; Error?: { Message?: string } | null });
  // A wait that fails later (daemon gone) must not crash the process before we look at it.
  status.catch(() => undefined);

  try {
    await o.start();
  } catch (err) {
    attached?.socket.destroy();
    waitRes.destroy();
    throw err;
  }

  const id = encodeURIComponent(o.id);
  const terminal = {
    tty: o.tty,
    stdin: o.stdin,
    resize: (h: number, w: number) => client.call('POST', `/containers/${id}/resize`, { query: { h, w } }),
    forwardSignal: o.sigProxy ? (sig: string) => client.call('POST', `/containers/${id}/kill`, { query: { signal: sig } }) : undefined,
  };
  return withTerminal(terminal, async () => {
    if (attached && (await sessionOnStdio(attached.socket, o.tty, o.stdin, detachKeys)) === 'detached') {
      waitRes.destroy();
      return 'detached';
    }
    const result = await status;
    if (result.Error?.Message) throw new Error(result.Error.Message);
    return result.StatusCode ?? 0;
  });
}
