import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RawClient } from './raw-client.js';
import { ROOT } from './daemon.js';
import { removeBridgeLeftovers } from './bridge-leftovers.js';

// A berthd of a test's own (built dist/), for tests that kill or reconfigure a daemon without
// touching the run's shared one: own socket, data-root, exec-root, bridge (hence firewall names)
// and subnet. `remove()` takes away everything it made on the host.

export interface PrivateDaemonOptions {
  /** Short unique name: /run/berth-<name>, /var/lib/berth-<name>, bridge b<name>0 (≤ 15 chars). */
  name: string;
  /** Bridge address, e.g. 10.238.0.1/24: pick a subnet no other test uses. */
  bip: string;
  /** Extra daemon.json keys. */
  config?: Record<string, unknown>;
  /**
   * Keep the data-root on a tmpfs of its own (this size, e.g. '1g'): a test that removes big
   * unpacked layers over and over does not wait for the disk's unlinks then.
   */
  tmpfs?: string;
  /**
   * Run berthd in this network namespace (an `ip netns` name), in a mount namespace of its own
   * whose /sys is that namespace's (berth reads /sys/class/net) with the host's cgroups in it.
   */
  netns?: string;
}

// Mounts a sysfs of the current network namespace over /sys, keeping the cgroup hierarchies.
const NETNS_SYS = 'set -e; d=$1; shift; mkdir -p "$d"; mount -t sysfs sysfs "$d"; mount --rbind /sys/fs/cgroup "$d/fs/cgroup"; mount --move "$d" /sys; exec "$@"';

export class PrivateDaemon {
  readonly execRoot: string;
  readonly dataRoot: string;
  readonly bridge: string;
  readonly host: string;
  readonly client: RawClient;
  readonly logFile: string;
  private readonly configFile: string;
  private child: ChildProcess | undefined;
  private started = false;
  private exited: Promise<void> = Promise.resolve();

  constructor(readonly opts: PrivateDaemonOptions) {
    this.execRoot = `/run/berth-${opts.name}`;
    this.dataRoot = `/var/lib/berth-${opts.name}`;
    this.bridge = `b${opts.name}0`;
    if (this.bridge.length > 15) throw new Error(`bridge name ${this.bridge} is too long`);
    this.host = `unix://${this.execRoot}/berth.sock`;
    this.client = new RawClient(this.host);
    this.logFile = `/var/log/berthd-test-private-${opts.name}.log`;
    this.configFile = `${this.execRoot}.json`;
  }

  /** Starts berthd and waits until it answers /_ping. */
  async start(): Promise<void> {
    if (!existsSync(this.execRoot)) mkdirSync(this.execRoot, { recursive: true });
    if (this.opts.tmpfs && !this.dataRootMounted()) {
      mkdirSync(this.dataRoot, { recursive: true });
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${this.opts.tmpfs},mode=0711`, 'tmpfs', this.dataRoot]);
    }
    writeFileSync(
      this.configFile,
      JSON.stringify({
        hosts: [this.host],
        'data-root': this.dataRoot,
        'exec-root': this.execRoot,
        bridge: this.bridge,
        bip: this.opts.bip,
        'log-level': 'debug',
        ...this.opts.config,
      }),
    );
    // One log per test run: the first start truncates it, restarts append.
    const log = openSync(this.logFile, this.started ? 'a' : 'w');
    this.started = true;
    const cmd = [process.execPath, join(ROOT, 'dist', 'berthd.mjs'), '--config-file', this.configFile];
    const argv = this.opts.netns
      ? ['nsenter', `--net=/run/netns/${this.opts.netns}`, 'unshare', '--mount', '--propagation', 'slave', 'sh', '-c', NETNS_SYS, 'sh', `${this.execRoot}/.sys`, ...cmd]
      : cmd;
    const child = spawn(argv[0]!, argv.slice(1), {
      stdio: ['ignore', log, log],
      detached: true,
    });
    closeSync(log);
    this.child = child;
    this.exited = new Promise<void>((r) => child.once('exit', () => r()));
    for (let i = 0; i < 300; i++) {
      if (child.exitCode !== null) break;
      if (await this.client.call('GET', '/_ping').then(() => true, () => false)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`private berthd ${this.opts.name} did not start; log: ${this.logFile}`);
  }

  /** A berthd of this name that an interrupted earlier run left running (its pid file, its config). */
  private killLeftover(): void {
    try {
      const pid = Number(readFileSync(join(this.execRoot, 'berthd.pid'), 'utf8').trim());
      if (pid > 0 && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(this.configFile)) process.kill(pid, 'SIGKILL');
    } catch {
      // no pid file, or that process is gone
    }
  }

  private dataRootMounted(): boolean {
    return readFileSync('/proc/self/mounts', 'utf8').split('\n').some((l) => l.split(' ')[1] === this.dataRoot);
  }

  get pid(): number | undefined {
    return this.child?.exitCode === null ? this.child.pid : undefined;
  }

  /** Sends `signal` and waits for the process to be gone. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    await this.exited;
  }

  /** The log lines written since the daemon's log had `offset` bytes. */
  logSince(offset: number): string {
    return readFileSync(this.logFile, 'utf8').slice(offset);
  }

  logSize(): number {
    return existsSync(this.logFile) ? readFileSync(this.logFile).length : 0;
  }

  /**
   * Removes its containers through the API, stops it, and deletes what it leaves by design
   * (bridge, nft table, iptables chains, mounts, its directories and config). The log stays in
   * /var/log, as the shared test daemon's does.
   */
  async remove(): Promise<void> {
    if (this.pid !== undefined) {
      const list = (await this.client.call('GET', '/containers/json', { query: { all: '1' } }).catch(() => [])) as { Id: string }[];
      for (const c of list) await this.client.call('DELETE', `/containers/${c.Id}`, { query: { force: '1' } }).catch(() => undefined);
    }
    await this.stop('SIGTERM');
    this.killLeftover();
    removeBridgeLeftovers(this.bridge);
    for (const dir of [this.dataRoot, this.execRoot]) {
      execFileSync('sh', ['-c', `grep -o " ${dir}/[^ ]*" /proc/self/mounts | sort -r | xargs -r -n1 umount -l; true`]);
      if (this.dataRootMounted() && dir === this.dataRoot) execFileSync('umount', ['-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    }
    rmSync(this.configFile, { force: true });
  }
}
