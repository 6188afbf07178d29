import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, closeSync, readFileSync } from 'node:fs';
import { findExecutable } from './find-executable.js';
import { pingSocket } from './http-probe.js';

// The machine has no systemd, so the bench starts Debian's dockerd itself when none is running and
// stops only what it started. Its own data root keeps it away from any other Docker state.
export const DOCKERD_SOCKET = '/var/run/docker.sock';
const DATA_ROOT = '/var/lib/docker-bench';
const LOG = '/var/log/berth-bench-dockerd.log';
// Off 172.17/16, which berth's default bridge may take; a /16 so the scale scenario's 500 fit.
const BRIDGE_IP = '10.213.0.1/16';

export class DockerdLauncher {
  private child: ChildProcess | undefined;

  /** Resolves with dockerd's socket, starting dockerd if needed; rejects with the reason Docker cannot be used. */
  async ensure(): Promise<string> {
    if (await pingSocket(DOCKERD_SOCKET)) return DOCKERD_SOCKET;
    const dockerd = findExecutable('dockerd');
    if (!dockerd) throw new Error('dockerd is not installed (apt-get install docker.io)');
    mkdirSync(DATA_ROOT, { recursive: true });
    const log = openSync(LOG, 'a');
    const args = [
      `--host=unix://${DOCKERD_SOCKET}`,
      `--data-root=${DATA_ROOT}`,
      `--bip=${BRIDGE_IP}`,
      '--insecure-registry=127.0.0.1:5000',
      '--pidfile=/var/run/docker-bench.pid',
    ];
    const child = spawn(dockerd, args, { detached: true, stdio: ['ignore', log, log] });
    closeSync(log);
    this.child = child;
    let exited: string | undefined;
    child.once('exit', (code, signal) => (exited = `dockerd exited ${code ?? signal}`));
    for (let i = 0; i < 600; i++) {
      if (exited) break;
      if (await pingSocket(DOCKERD_SOCKET)) return DOCKERD_SOCKET;
      await new Promise((r) => setTimeout(r, 100));
    }
    await this.stop();
    const tail = readFileSync(LOG, 'utf8').trim().split('\n').slice(-3).join(' / ');
    throw new Error(`${exited ?? 'dockerd did not answer within 60 s'} (${LOG}: ${tail})`);
  }

  get startedByUs(): boolean {
    return this.child !== undefined;
  }

  /** Stops the dockerd this launcher started (SIGTERM, then SIGKILL after 30 s); a no-op otherwise. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await gone;
    clearTimeout(timer);
  }
}
