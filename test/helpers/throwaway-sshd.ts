import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// A real openssh-server with throwaway keys for the ssh:// tests: the remote side has berth on its
// PATH and DOCKER_HOST at a daemon; the client side gets an `ssh` wrapper (own key, known_hosts and
// config) to put first on PATH, since ssh reads ~/.ssh of the passwd entry, not $HOME.

export interface ThrowawaySshdOptions {
  /** Keys, configs and the two bin directories go here. */
  dir: string;
  port: number;
  listenAddress: string;
  /** DOCKER_HOST of an ssh session (what `system dial-stdio` dials). */
  dockerHost: string;
  /** Commands on the remote side's PATH: name → the file it links to. */
  bins: Record<string, string>;
  /** Run sshd inside this `ip netns` namespace. */
  netns?: string;
}

export class ThrowawaySshd {
  /** sshd's stderr, for failure messages. */
  log = '';
  /** The directory with the client's `ssh` wrapper, to put first on PATH. */
  readonly clientBin: string;
  private proc: ChildProcess | undefined;

  constructor(private readonly o: ThrowawaySshdOptions) {
    this.clientBin = join(o.dir, 'client-bin');
  }

  start(): void {
    const d = this.o.dir;
    mkdirSync(join(d, 'bin'), { recursive: true });
    mkdirSync(this.clientBin, { recursive: true });
    for (const key of ['hostkey', 'id']) {
      const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(d, key)], { encoding: 'utf8' });
      assert.equal(r.status, 0, `ssh-keygen ${key}: ${r.stderr}`);
    }
    writeFileSync(join(d, 'authorized_keys'), readFileSync(join(d, 'id.pub')));
    for (const [name, target] of Object.entries(this.o.bins)) symlinkSync(target, join(d, 'bin', name));
    writeFileSync(
      join(d, 'sshd_config'),
      `HostKey ${d}/hostkey\nPidFile ${d}/sshd.pid\nAuthorizedKeysFile ${d}/authorized_keys\nPasswordAuthentication no\n` +
        `KbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\nPermitRootLogin prohibit-password\n` +
        `SetEnv DOCKER_HOST=${this.o.dockerHost} PATH=${d}/bin:/usr/local/bin:/usr/bin:/bin\nLogLevel ERROR\n`,
    );
    writeFileSync(
      join(d, 'ssh_config'),
      `Host *\n  IdentityFile ${d}/id\n  IdentitiesOnly yes\n  StrictHostKeyChecking no\n  UserKnownHostsFile ${d}/known_hosts\n  BatchMode yes\n  LogLevel ERROR\n`,
    );
    writeFileSync(join(this.clientBin, 'ssh'), `#!/bin/sh\nexec /usr/bin/ssh -F ${d}/ssh_config "$@"\n`);
    chmodSync(join(this.clientBin, 'ssh'), 0o755);
    mkdirSync('/run/sshd', { recursive: true });
    const sshd = ['/usr/sbin/sshd', '-D', '-e', '-f', join(d, 'sshd_config'), '-p', String(this.o.port), '-o', `ListenAddress=${this.o.listenAddress}`];
    const argv = this.o.netns ? ['nsenter', `--net=/run/netns/${this.o.netns}`, ...sshd] : sshd;
    this.proc = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
    this.proc.stderr!.on('data', (chunk) => (this.log += chunk));
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((res) => p.once('exit', res));
    p.kill('SIGTERM');
    await exited;
  }
}
