// `--sig-proxy`: signals the CLI receives are passed on to the container instead of ending the CLI.

const PROXIED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

/** Forwards the signals to `send` (e.g. POST /containers/{id}/kill?signal=…); returns the undo. */
export function proxySignals(send: (signal: NodeJS.Signals) => Promise<unknown>): () => void {
  const handlers = PROXIED.map((sig) => {
    const h = (): void => {
      send(sig).catch(() => undefined);
    };
    process.on(sig, h);
    return [sig, h] as const;
  });
  return () => {
    for (const [sig, h] of handlers) process.removeListener(sig, h);
  };
}
