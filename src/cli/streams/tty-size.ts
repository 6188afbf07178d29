// Keeps a container's (or exec's) TTY the size of our terminal: once now, then on every SIGWINCH.

export interface TerminalOutput {
  isTTY?: boolean;
  rows?: number;
  columns?: number;
  on(event: 'resize', cb: () => void): unknown;
  removeListener(event: 'resize', cb: () => void): unknown;
}

export function terminalSize(out: TerminalOutput): [number, number] | undefined {
  return out.isTTY && out.rows && out.columns ? [out.rows, out.columns] : undefined;
}

/** Calls `resize(rows, cols)` now and whenever the terminal changes; returns the stop function. */
export function monitorTtySize(out: TerminalOutput, resize: (rows: number, cols: number) => Promise<unknown>): () => void {
  if (!out.isTTY) return () => undefined;
  const send = (): void => {
    const size = terminalSize(out);
    // A failed resize (container gone already) is not worth an error, as in docker.
    if (size) resize(size[0], size[1]).catch(() => undefined);
  };
  send();
  out.on('resize', send);
  return () => out.removeListener('resize', send);
}
