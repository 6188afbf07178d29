import { spawn } from 'node:child_process';

/** The outcome of one command run to completion, with its wall-clock time. */
export interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  seconds: number;
  /** Killed because it outlived RunOptions.timeoutMs. */
  timedOut: boolean;
}

/** Raised when a benchmarked command fails: the scenario records it as a note for that engine. */
export class CommandError extends Error {
  constructor(
    readonly argv: readonly string[],
    readonly result: CommandResult,
  ) {
    const detail = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-2).join(' / ');
    const how = result.timedOut ? `timed out after ${result.seconds.toFixed(0)} s` : `exited ${result.code ?? result.signal}`;
    super(`\`${argv.join(' ')}\` ${how}${detail ? `: ${detail}` : ''}`);
  }
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** Runs argv with stdin closed, capturing output; times from just before spawn to the exit of the process. */
export function runCommand(argv: readonly string[], opts: RunOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    let timedOut = false;
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, opts.timeoutMs)
      : undefined;
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
        timedOut,
      });
    });
  });
}

/** Long enough for any healthy CLI call here (a pull of nginx included); a hung one costs no more. */
export const DEFAULT_TIMEOUT_MS = 120_000;
/** For container operations, which take well under a second when they work. */
export const CONTAINER_TIMEOUT_MS = 60_000;

/** Runs argv and throws CommandError unless it exits 0. */
export async function mustRun(argv: readonly string[], opts: RunOptions = {}): Promise<CommandResult> {
  const r = await runCommand(argv, { timeoutMs: DEFAULT_TIMEOUT_MS, ...opts });
  if (r.code !== 0) throw new CommandError(argv, r);
  return r;
}

/** Seconds since `start` (a process.hrtime.bigint() value). */
export function secondsSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}
