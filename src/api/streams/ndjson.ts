import type { ServerResponse } from 'node:http';

/**
 * A newline-delimited JSON stream (pull/push progress, events, stats). Headers go out on the first
 * write so clients see progress at once; writes after the client left are dropped quietly.
 */
export class NdjsonStream {
  private started = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly contentType = 'application/json',
  ) {}

  get closed(): boolean {
    return this.res.destroyed || this.res.writableEnded;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.res.writeHead(200, { 'Content-Type': this.contentType });
    this.res.flushHeaders();
  }

  write(obj: unknown): void {
    this.start();
    if (this.closed) return;
    this.res.write(JSON.stringify(obj) + '\n');
  }

  /** Docker's error message in a progress stream: errorDetail plus the legacy `error` field. */
  writeError(message: string, code?: number): void {
    this.write({ errorDetail: code === undefined ? { message } : { code, message }, error: message });
  }

  end(): void {
    this.start();
    if (!this.res.writableEnded) this.res.end();
  }
}
