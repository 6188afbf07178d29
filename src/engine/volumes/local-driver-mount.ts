import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { InvalidArgumentError, SystemError } from '../../common/errors.js';

// The local driver's options (`docker volume create -o type=tmpfs -o device=tmpfs -o o=size=1m`):
// the volume's _data directory becomes a mount of that filesystem while a container uses it.

const VALID_OPTIONS = new Set(['type', 'device', 'o', 'size']);

/** Docker's checks on local driver options. */
export function validateLocalOptions(opts: Record<string, string> | null | undefined): void {
  if (!opts) return;
  for (const key of Object.keys(opts)) {
    if (!VALID_OPTIONS.has(key)) throw new InvalidArgumentError(`invalid option: "${key}"`);
  }
  const mountish = opts.type !== undefined || opts.device !== undefined || opts.o !== undefined;
  if (mountish && !opts.type) throw new InvalidArgumentError('missing required option: "type"');
  if (mountish && !opts.device) throw new InvalidArgumentError('missing required option: "device"');
  if (opts.size !== undefined) throw new InvalidArgumentError('quota size requested but no quota support');
}

/** Whether the options ask for a filesystem to be mounted on the volume's directory. */
export function needsMount(opts: Record<string, string> | null | undefined): boolean {
  return !!opts?.type && !!opts.device;
}

/** True when `path` is a mount point now (checked in /proc/self/mountinfo, unescaped). */
export function isMountPoint(path: string): boolean {
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const field = line.split(' ')[4];
    if (field && field.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8))) === path) return true;
  }
  return false;
}

function run(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(args[0]!, args.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new SystemError(stderr.trim() || `${args[0]}: exit ${code}`))));
  });
}

/** `mount -t TYPE -o O DEVICE DIR`, as the local driver does it; a no-op if already mounted. */
export async function mountLocal(opts: Record<string, string>, dir: string): Promise<void> {
  if (isMountPoint(dir)) return;
  const args = ['mount', '-t', opts.type!];
  if (opts.o) args.push('-o', opts.o);
  args.push(opts.device!, dir);
  try {
    await run(args);
  } catch (err) {
    throw new SystemError(`error while mounting volume '${dir}': ${(err as Error).message}`);
  }
}

export async function unmountLocal(dir: string): Promise<void> {
  if (!isMountPoint(dir)) return;
  await run(['umount', '-l', dir]);
}
