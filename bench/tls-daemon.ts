import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mustRun } from './command.js';
import { findExecutable } from './find-executable.js';
import { pingSocket } from './http-probe.js';
import { removeBridgeLeftovers } from '../test/helpers/bridge-leftovers.js';

// A berthd of the bench's own with a unix socket and a tcp:// listener with mutual TLS, its
// certificates made by `berth tls init`; its own data, bridge and subnet, all removed on stop.

const REPO = fileURLToPath(new URL('..', import.meta.url));
const BRIDGE = 'bbench-tls';

export class TlsDaemon {
  readonly dir = mkdtempSync(join(tmpdir(), 'berth-bench-tls-'));
  readonly socket = join(this.dir, 'exec', 'berth.sock');
  readonly certDir = join(this.dir, 'client');
  private child?: ChildProcess;

  constructor(
    readonly port: number,
    private readonly berthCli: string[],
  ) {}

  get tcpHost(): string {
    return `tcp://127.0.0.1:${this.port}`;
  }

  /** Global flags for a docker-compatible CLI to reach the tcp listener. */
  tlsFlags(): string[] {
    return ['-H', this.tcpHost, '--tlsverify', '--tlscacert', join(this.certDir, 'ca.pem'), '--tlscert', join(this.certDir, 'cert.pem'), '--tlskey', join(this.certDir, 'key.pem')];
  }

  async start(): Promise<void> {
    const srv = join(this.dir, 'srv');
    // This checkout's CLI when built: `tls init` is the same whatever berth is being timed.
    const built = join(REPO, 'dist', 'berth.mjs');
    const cli = existsSync(built) ? [process.execPath, built] : this.berthCli;
    await mustRun([...cli, 'tls', 'init', '--dir', srv, '--client-dir', this.certDir, '--hostname', 'localhost']);
    const config = join(this.dir, 'daemon.json');
    writeFileSync(
      config,
      JSON.stringify({
        hosts: [`unix://${this.socket}`, this.tcpHost],
        'data-root': join(this.dir, 'data'),
        'exec-root': join(this.dir, 'exec'),
        bridge: BRIDGE,
        bip: '172.61.0.1/16',
        tlsverify: true,
        tlscacert: join(srv, 'ca.pem'),
        tlscert: join(srv, 'cert.pem'),
        tlskey: join(srv, 'key.pem'),
      }),
    );
    const builtDaemon = join(REPO, 'dist', 'berthd.mjs');
    const berthd = existsSync(builtDaemon) ? builtDaemon : findExecutable('berthd');
    if (!berthd) throw new Error('berthd is not built (npm run build)');
    this.child = spawn(process.execPath, [berthd, '--config-file', config], { stdio: 'ignore' });
    for (let i = 0; i < 100 && !(await pingSocket(this.socket)); i++) await new Promise((r) => setTimeout(r, 100));
    if (!(await pingSocket(this.socket))) throw new Error('the bench TLS berthd did not start');
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    // The default bridge and berth's rules for it outlive berthd by design: remove them.
    removeBridgeLeftovers(BRIDGE);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
