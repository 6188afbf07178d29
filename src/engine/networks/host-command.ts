import { spawn } from 'node:child_process';
import { SystemError } from '../../common/errors.js';

/**
 * Runs one host networking tool (ip, nft, iptables-restore, unshare, nsenter, umount) with the
 * given stdin and resolves with its stdout; a non-zero exit rejects with its stderr.
 * Batched stdin (`ip -batch -`, `nft -f -`) keeps the number of processes per container low.
 */
export function runCommand(cmd: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (d: Buffer) => out.push(d));
    child.stderr!.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e) => reject(new SystemError(`${cmd}: ${e.message}`, { cause: e })));
    child.on('close', (code, signal) => {
      if (code === 0) return resolve(Buffer.concat(out).toString('utf8'));
      const msg = Buffer.concat(err).toString('utf8').trim() || `exit ${code ?? signal}`;
      reject(new SystemError(`${cmd} ${args.join(' ')}: ${msg}`));
    });
    if (input !== undefined) {
      child.stdin!.on('error', () => {}); // EPIPE when the tool exits early: its exit code tells
      child.stdin!.end(input);
    }
  });
}
