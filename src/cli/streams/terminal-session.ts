import type { Duplex } from 'node:stream';
import { runAttachSession, type AttachOutcome, type TerminalInput } from './attach-session.js';
import { proxySignals } from './signal-proxy.js';
import { monitorTtySize } from './tty-size.js';

// What attach, exec and the attached `run`/`start -a` share around a hijacked stream: window-size
// updates for a TTY, forwarded signals otherwise, and our stdin released at the end.

export interface TerminalOptions {
  tty: boolean;
  /** Whether our stdin feeds the container. */
  stdin: boolean;
  /** Sends a new window size (TTY only). */
  resize?: (rows: number, cols: number) => Promise<unknown>;
  /** Forwards a signal we receive (without a TTY; with one the terminal sends keys instead). */
  forwardSignal?: (signal: NodeJS.Signals) => Promise<unknown>;
}

/** Runs `session` with the terminal set up for it, and undoes the setup whatever happens. */
export async function withTerminal<T>(o: TerminalOptions, session: () => Promise<T>): Promise<T> {
  const stopResize = o.tty && o.resize ? monitorTtySize(process.stdout, o.resize) : undefined;
  const stopProxy = !o.tty && o.forwardSignal ? proxySignals(o.forwardSignal) : undefined;
  try {
    return await session();
  } finally {
    stopResize?.();
    stopProxy?.();
    if (o.stdin) process.stdin.destroy();
  }
}

/** The hijacked stream on this process's stdio. */
export function sessionOnStdio(socket: Duplex, tty: boolean, stdin: boolean, detachKeys: number[]): Promise<AttachOutcome> {
  return runAttachSession({
    socket,
    tty,
    stdin: stdin ? (process.stdin as TerminalInput) : undefined,
    stdout: process.stdout,
    stderr: process.stderr,
    detachKeys,
  });
}
