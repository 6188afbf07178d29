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
      ? await client.containers.attach(o.id, { stdin: o.stdin, stdout: o.stdout, stderr: o.stderr, detachKeys: o.detachKeys })
      : undefined;
  const { response: waitRes, result: status } = await client.containers.wait(o.id, o.autoRemove ? 'removed' : 'next-exit');

  try {
    await o.start();
  } catch (err) {
    attached?.socket.destroy();
    waitRes.destroy();
    throw err;
  }

  const terminal = {
    tty: o.tty,
    stdin: o.stdin,
    resize: (h: number, w: number) => client.containers.resize(o.id, h, w),
    forwardSignal: o.sigProxy ? (sig: string) => client.containers.kill(o.id, sig) : undefined,
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
