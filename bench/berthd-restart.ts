import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, readlinkSync } from 'node:fs';
import { pingSocket } from './http-probe.js';

// Restarts the berthd serving the bench the way it was started (its argv, cwd and environment read
// from /proc), and times how long until its API answers again. Containers outlive berthd, so
// this measures recovery: adopting every running container.

const LOG = '/var/log/berth-bench-berthd.log';

export async function restartBerthd(pid: number, socketPath: string, timeoutMs = 120_000): Promise<{ newPid: number; seconds: number }> {
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  const cwd = readlinkSync(`/proc/${pid}/cwd`);
  const env = Object.fromEntries(
    readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 300; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const log = openSync(LOG, 'a');
  const start = process.hrtime.bigint();
  const child = spawn(argv[0]!, argv.slice(1), { cwd, env, detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  child.unref();
  const deadline = Date.now() + timeoutMs;
  while (!(await pingSocket(socketPath))) {
    if (child.exitCode !== null) throw new Error(`berthd exited ${child.exitCode} on restart (${LOG})`);
    if (Date.now() > deadline) throw new Error(`berthd did not answer within ${timeoutMs / 1000} s of its restart`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return { newPid: child.pid!, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}
