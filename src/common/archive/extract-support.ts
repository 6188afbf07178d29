import { spawn } from 'node:child_process';
import { lstatSync, readFileSync } from 'node:fs';
import { SystemError } from '../errors.js';

// Small helpers of the tar extractor: what the process creates files with, lstat without throwing,
// the host tools it drives (mknod, setfattr), docker cp's rename of the top entry.

/** The process umask, read without process.umask()'s deprecated getter form. */
export const UMASK = (() => {
  const m = /^Umask:\s*([0-7]+)/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? parseInt(m[1]!, 8) : 0o022;
})();
export const IS_ROOT = process.getuid?.() === 0 && process.getgid?.() === 0;

/** Whether creating with `mode` already gives `mode`, so no chmod is needed. */
export function modeSticks(mode: number): boolean {
  return (mode & 0o7000) === 0 && (mode & UMASK) === 0;
}

export function lstatOrNull(path: string): ReturnType<typeof lstatSync> | undefined {
  try {
    return lstatSync(path, { throwIfNoEntry: false });
  } catch (err) {
    // A parent that is a file: nothing can be there.
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw err;
  }
}

/** Quotes a path for `setfattr --restore` (octal escapes, as getfattr writes them). */
export function quotePath(p: string): string {
  let out = '';
  for (const byte of Buffer.from(p, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9._/+@,~:-]/.test(ch) ? ch : '\\' + byte.toString(8).padStart(3, '0');
  }
  return out;
}

export function run(cmd: string, args: string[], input?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: '/',
      stdio: [input === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new SystemError(`${cmd}: ${stderr.trim() || `exit ${code}`}`)),
    );
    if (input !== undefined) child.stdin!.end(input);
  });
}

export function renamed(name: string, rename: { from: string; to: string }): string {
  const top = rename.from === '.' ? '' : rename.from;
  const n = name.replace(/^\.\//, '');
  if (top === '') return `${rename.to}/${n}`;
  if (n === top || n === `${top}/`) return rename.to + (n.endsWith('/') ? '/' : '');
  if (n.startsWith(`${top}/`)) return rename.to + n.slice(top.length);
  return name;
}
