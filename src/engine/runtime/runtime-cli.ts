import { spawn } from 'node:child_process';
import { basename } from 'node:path';
import { runtimeManagerArgs, type CgroupManager } from './cgroups/cgroup-manager.js';
import { RuntimeError } from './runtime-errors.js';

/** How to invoke one OCI runtime binary (crun or runc) with the same global flags every time. */
export class RuntimeCli {
  readonly globalArgs: string[];

  constructor(
    readonly path: string,
    runtimeArgs: string[] = [],
    manager: CgroupManager = 'cgroupfs',
  ) {
    // Same cgroup manager for every call (conmon gets it as --runtime-arg). runc's default is cgroupfs.
    this.globalArgs = [...runtimeManagerArgs(path, manager), ...runtimeArgs];
  }

  /** Runs `runtime <global args> <args>`; resolves stdout, rejects with the runtime's stderr text. */
  run(args: string[], input?: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.path, [...this.globalArgs, ...args], { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout!.on('data', (b: Buffer) => out.push(b));
      child.stderr!.on('data', (b: Buffer) => err.push(b));
      child.on('error', (e) => reject(new RuntimeError(`${this.path}: ${e.message}`, args[0] ?? '')));
      child.on('close', (code) => {
        if (code === 0) return resolve(Buffer.concat(out).toString());
        reject(new RuntimeError(cleanMessage(Buffer.concat(err).toString()) || `${basename(this.path)} ${args[0]} exited with ${code}`, args[0] ?? ''));
      });
      if (input !== undefined) child.stdin!.end(input);
    });
  }
}

/** Strips runtime log decoration ("time=… level=error msg=…", "crun: ") down to the message. */
export function cleanMessage(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const last = lines.at(-1) ?? '';
  const msg = /msg="((?:[^"\\]|\\.)*)"/.exec(last);
  if (msg) return msg[1]!.replace(/\\"/g, '"');
  return last.replace(/^(crun|runc):\s*/, '');
}
