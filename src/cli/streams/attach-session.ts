import type { Duplex, Writable } from 'node:stream';
import { DetachKeyFilter } from './detach-keys.js';
import { demultiplex } from './demultiplex.js';

// The client half of a hijacked attach/exec connection: container output to our stdout/stderr
// (raw for a TTY, demultiplexed otherwise), our stdin to the container, the terminal in raw mode
// while a TTY session lasts, and the detach sequence that ends the session but not the container.

export interface TerminalInput extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

export interface AttachSessionOptions {
  socket: Duplex;
  tty: boolean;
  /** Our stdin when the container's stdin is attached, else undefined. */
  stdin?: TerminalInput;
  stdout: Writable;
  stderr: Writable;
  /** Bytes of the detach sequence; spotted here in TTY mode (the daemon spots it too). */
  detachKeys?: number[];
}

export type AttachOutcome = 'ended' | 'detached';

export async function runAttachSession(opts: AttachSessionOptions): Promise<AttachOutcome> {
  const { socket, stdin } = opts;
  let detached = false;
  const restoreTerminal = opts.tty && stdin?.isTTY && stdin.setRawMode ? enterRawMode(stdin) : undefined;
  const filter = opts.tty && opts.detachKeys ? new DetachKeyFilter(opts.detachKeys, () => {
    detached = true;
    socket.destroy();
  }) : undefined;

  const onData = (chunk: Buffer | string): void => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const data = filter ? filter.filter(bytes) : bytes;
    if (data.length && !socket.destroyed) socket.write(data);
  };
  // End of our stdin closes the container's stdin (half-close), as docker's CloseWrite does.
  const onEnd = (): void => {
    if (!socket.destroyed) socket.end();
  };
  if (stdin) {
    stdin.on('data', onData);
    stdin.once('end', onEnd);
    stdin.resume();
  }
  try {
    if (opts.tty) await pipeRaw(socket, opts.stdout);
    else await demultiplex(socket, opts.stdout, opts.stderr);
  } catch (err) {
    if (!detached) throw err;
  } finally {
    if (stdin) {
      stdin.removeListener('data', onData);
      stdin.removeListener('end', onEnd);
      stdin.pause();
    }
    restoreTerminal?.();
  }
  return detached ? 'detached' : 'ended';
}

async function pipeRaw(source: Duplex, dest: Writable): Promise<void> {
  for await (const chunk of source) {
    if (!dest.write(chunk)) await new Promise((r) => dest.once('drain', r));
  }
}

function enterRawMode(stdin: TerminalInput): () => void {
  stdin.setRawMode!(true);
  return () => stdin.setRawMode!(false);
}
