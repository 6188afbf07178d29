import { DetachKeyFilter, parseDetachKeys } from '../../common/detach-keys.js';
import { InvalidArgumentError } from '../../common/errors.js';
import type { RuntimeAttach } from '../../engine/containers/ports.js';
import type { HijackedStream } from './hijack.js';

/** What the client asked to see and send over an attach or an exec start. */
export interface AttachStreams {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
  detachKeys?: number[];
}

/** The `detachKeys` of an attach or exec; undefined when not given (the TTY default applies). */
export function detachKeysParam(spec: string | undefined): number[] | undefined {
  if (!spec) return undefined;
  try {
    return parseDetachKeys(spec);
  } catch {
    throw new InvalidArgumentError(`invalid detach keys (${spec}) provided`);
  }
}

/** Pipes a runtime attach to a hijacked client connection, honouring the detach keys. */
export function pipeAttach(a: RuntimeAttach, h: HijackedStream, o: AttachStreams): Promise<void> {
  if (o.stdout) a.stdout.on('data', (d: Buffer) => h.write(1, d));
  else a.stdout.resume();
  if (o.stderr) a.stderr.on('data', (d: Buffer) => h.write(2, d));
  else a.stderr.resume();
  const stdin = a.stdin;
  if (o.stdin && h.input && stdin) {
    let detached = false;
    const keys = new DetachKeyFilter(o.detachKeys ?? (o.tty ? [16, 17] : []), () => (detached = true));
    h.input.on('data', (d: Buffer) => {
      if (detached) return;
      const out = keys.filter(d);
      if (out.length) stdin.write(out);
      if (detached) {
        a.close();
        h.end();
      }
    });
    h.input.on('end', () => a.closeStdin());
    // Reading an exec's JSON body off the hijacked socket may have paused it; a paused stream
    // stays paused when a 'data' listener is added, and stdin would never flow.
    h.input.resume();
  } else {
    h.input?.resume();
  }
  h.onClose(() => a.close());
  return a.done;
}
