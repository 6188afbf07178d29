import { spawn, type ChildProcess } from 'node:child_process';
import { SystemError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';

/** How to drive one line-oriented tool that keeps reading commands from stdin. */
export interface BatchDialect {
  cmd: string;
  args: string[];
  /** Turns one request into the line(s) to send. */
  encode(lines: string[]): string;
  /** A command that always fails with a recognisable message, sent after each request. */
  marker(n: number): { line: string; seen: string };
  /** Whether a stderr line (before the marker) reports a failure of the request. */
  isError(line: string): boolean;
}

/** `ip -force -batch -`: one command per line; `link show dev <missing>` marks the end of a request. */
export const IP_DIALECT: BatchDialect = {
  cmd: 'ip',
  args: ['-force', '-batch', '-'],
  encode: (lines) => lines.map((l) => `${l}\n`).join(''),
  marker: (n) => ({ line: `link show dev bm${n}`, seen: `Device "bm${n}" does not exist.` }),
  isError: (line) => !/^Command failed -:\d+$/.test(line),
};

/** `nft -i`: commands joined by ';' on one line are one transaction; a missing table marks the end. */
export const NFT_DIALECT: BatchDialect = {
  cmd: 'nft',
  args: ['-i'],
  encode: (lines) => `${lines.join('; ')}\n`,
  marker: (n) => ({ line: `list table ip bm${n}`, seen: `list table ip bm${n}` }),
  isError: (line) => line.startsWith('Error:'),
};

interface Pending {
  seen: string;
  resolve: () => void;
  reject: (err: Error) => void;
  request: string;
}

/**
 * A long-lived ip/nft process fed through stdin, so a command costs a pipe round trip instead of a
 * process start (4–6 ms each here). Requests are answered in order: after each one a marker command
 * that must fail is sent, and the stderr lines before its message are that request's errors.
 * If the process dies, pending requests fail and the next request starts a new one.
 */
export class BatchWorker {
  private child: ChildProcess | undefined;
  private readonly queue: Pending[] = [];
  private stderr = '';
  private errors: string[] = [];
  private counter = 0;
  /** Requests the current process has answered. */
  private served = 0;

  constructor(
    private readonly dialect: BatchDialect,
    private readonly logger: Logger,
    private readonly env?: NodeJS.ProcessEnv,
    /**
     * Ends the process once idle after this many requests; the next request starts a fresh one.
     * `ip -batch` keeps every link it ever resolved in a cache it never trims: after 1000
     * `run --rm` the host's worker held 7 MiB instead of 2.6.
     */
    private readonly recycleAfter = Infinity,
  ) {}

  /** Runs the commands; rejects with the tool's messages when any failed. */
  run(lines: string[]): Promise<void> {
    if (!lines.length) return Promise.resolve();
    const child = this.ensure();
    const marker = this.dialect.marker(++this.counter);
    const request = lines.join('; ');
    this.setRef(child, true);
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ seen: marker.seen, resolve, reject, request });
      child.stdin!.write(this.dialect.encode(lines) + `${marker.line}\n`);
    });
  }

  /** The process id (starting the process if needed). */
  pid(): number {
    const pid = this.ensure().pid;
    if (pid === undefined) throw new SystemError(`${this.dialect.cmd} worker did not start`);
    return pid;
  }

  /** Ends the process (berthd shutdown, or a bridge deleted: ip caches interface indexes by name). */
  close(): void {
    const child = this.child;
    this.child = undefined;
    if (child) {
      child.stdin!.end();
      this.failAll(new SystemError(`${this.dialect.cmd} worker closed`));
    }
  }

  private ensure(): ChildProcess {
    if (this.child) return this.child;
    const child = spawn(this.dialect.cmd, this.dialect.args, { stdio: ['pipe', 'ignore', 'pipe'], env: this.env ?? process.env });
    this.child = child;
    this.served = 0;
    this.stderr = '';
    this.errors = [];
    child.stdin!.on('error', () => {}); // the exit handler reports
    child.stderr!.setEncoding('utf8');
    // A closed (recycled) process may still be exiting while its successor takes requests: only
    // the current one's output and death concern the queue.
    child.stderr!.on('data', (d: string) => {
      if (this.child === child) this.onStderr(d);
    });
    const gone = (why: string) => {
      if (this.child !== child) return;
      this.child = undefined;
      this.failAll(new SystemError(`${this.dialect.cmd} worker ${why}`));
    };
    child.on('error', (e) => gone(e.message));
    child.on('exit', (code, signal) => gone(`exited (${code ?? signal})`));
    this.logger.debug({ cmd: this.dialect.cmd }, 'batch worker started');
    return child;
  }

  private onStderr(data: string): void {
    this.stderr += data;
    let nl: number;
    while ((nl = this.stderr.indexOf('\n')) >= 0) {
      const line = this.stderr.slice(0, nl).trimEnd();
      this.stderr = this.stderr.slice(nl + 1);
      const head = this.queue[0];
      if (head && line.includes(head.seen)) {
        this.queue.shift();
        // nft reports the marker as "Error: …" on the line before its echo: not the request's.
        if (this.dialect === NFT_DIALECT) this.errors = this.errors.slice(0, -1);
        const errors = this.errors.filter((l) => this.dialect.isError(l));
        this.errors = [];
        this.served++;
        if (!this.queue.length && this.child) {
          if (this.served >= this.recycleAfter) this.close();
          else this.setRef(this.child, false);
        }
        if (errors.length) head.reject(new SystemError(`${this.dialect.cmd}: ${errors.join('; ')} (in: ${head.request})`));
        else head.resolve();
        continue;
      }
      // nft's caret lines under an echoed command carry no information.
      if (line && !/^[\s^~]*$/.test(line)) this.errors.push(line);
    }
  }

  /** An idle worker must not keep berthd (or a test) alive; one with requests in flight must. */
  private setRef(child: ChildProcess, on: boolean): void {
    for (const h of [child, child.stdin, child.stderr] as unknown as { ref?: () => void; unref?: () => void }[]) {
      if (on) h?.ref?.();
      else h?.unref?.();
    }
  }

  private failAll(err: Error): void {
    for (const p of this.queue.splice(0)) p.reject(err);
    this.errors = [];
  }
}
