import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DockerdLauncher } from './dockerd-launcher.js';
import { findExecutable } from './find-executable.js';
import { pingSocket } from './http-probe.js';

export type EngineId = 'berth' | 'docker-cli-berth' | 'docker' | 'podman' | 'crun';
export const ENGINE_IDS: readonly EngineId[] = ['berth', 'docker-cli-berth', 'docker', 'podman', 'crun'];

export const ENGINE_LABELS: Record<EngineId, string> = {
  berth: 'berth',
  'docker-cli-berth': 'docker CLI → berthd',
  docker: 'Docker',
  podman: 'Podman',
  crun: 'crun alone',
};

/** An engine driven through a docker-compatible CLI. `family` says whose daemon and containers it uses. */
export interface CliEngine {
  id: Exclude<EngineId, 'crun'>;
  label: string;
  /** The client program alone (for `--version`). */
  program: string[];
  /** argv prefix: the program and its global flags. */
  cli: string[];
  /** The daemon's API socket; podman has none. */
  socketPath?: string;
  family: 'berth' | 'docker' | 'podman';
  /** Extra flags for pull (podman needs --tls-verify=false for the plain-HTTP local registry). */
  pullFlags: string[];
  /** Extra flags for run: podman would ask crun for RLIMIT_NOFILE 1048576, above this host's hard limit. */
  runFlags: string[];
}

export interface EngineSet {
  cli: CliEngine[];
  /** crun's path when it and /bin/busybox are there. */
  crun?: string;
  /** Engines that cannot run at all, with the reason. */
  unavailable: Partial<Record<EngineId, string>>;
  /** Stops what detection started (dockerd). */
  close(): Promise<void>;
}

const REAL_DOCKER_CLI = '/usr/local/bin/docker';
const REPO = fileURLToPath(new URL('..', import.meta.url));

function berthSocket(): string | undefined {
  const host = process.env.BERTH_HOST ?? 'unix:///run/berth/berth.sock';
  return host.startsWith('unix://') ? host.slice('unix://'.length) : undefined;
}

/**
 * The berth CLI of this checkout: dist/berth (started from its V8 snapshot, as the package installs
 * it), else the bundle dist/berth.mjs, else the one installed on PATH. BERTH_BENCH_CLI overrides.
 */
function berthCli(): string[] | undefined {
  if (process.env.BERTH_BENCH_CLI) return process.env.BERTH_BENCH_CLI.split(' ');
  const launcher = join(REPO, 'dist/berth');
  if (existsSync(launcher)) return [launcher];
  const built = join(REPO, 'dist/berth.mjs');
  if (existsSync(built)) return [process.execPath, built];
  const onPath = findExecutable('berth');
  return onPath ? [onPath] : undefined;
}

/**
 * Podman 4.3 asks crun for RLIMIT_NOFILE 1048576 and a large RLIMIT_NPROC; without CAP_SYS_RESOURCE
 * (this host) crun cannot raise them. Ask for this process's own hard limits instead (NPROC capped at
 * pid_max: podman leaves conmon with that much, and crun fails above it).
 */
function podmanUlimits(): string[] {
  const limits = readFileSync('/proc/self/limits', 'utf8');
  const hard = (label: string): number => Number(limits.match(new RegExp(`^${label}\\s+\\S+\\s+(\\d+)`, 'm'))?.[1] ?? NaN);
  const pidMax = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8').trim());
  const nofile = hard('Max open files');
  const nproc = Math.min(hard('Max processes'), pidMax);
  const flags: string[] = [];
  if (Number.isFinite(nofile)) flags.push('--ulimit', `nofile=${nofile}:${nofile}`);
  if (Number.isFinite(nproc)) flags.push('--ulimit', `nproc=${nproc}:${nproc}`);
  return flags;
}

/** Finds which engines can run here; starts dockerd if it is installed but not running. */
export async function detectEngines(wanted: readonly EngineId[]): Promise<EngineSet> {
  const cli: CliEngine[] = [];
  const unavailable: Partial<Record<EngineId, string>> = {};
  const dockerd = new DockerdLauncher();
  const want = (id: EngineId): boolean => wanted.includes(id);

  const sock = berthSocket();
  const berthUp = sock !== undefined && (await pingSocket(sock));
  const berthWhy = sock === undefined ? 'BERTH_HOST is not a unix socket' : `berthd is not answering at ${sock} (bash scripts/install.sh starts it)`;
  if (want('berth')) {
    const argv = berthCli();
    if (!argv) unavailable.berth = 'berth CLI not installed and dist/berth.mjs not built (npm run build)';
    else if (!berthUp) unavailable.berth = berthWhy;
    else cli.push({ id: 'berth', label: ENGINE_LABELS.berth, program: argv, cli: [...argv, '--host', `unix://${sock}`], socketPath: sock, family: 'berth', pullFlags: [], runFlags: [] });
  }
  if (want('docker-cli-berth')) {
    if (!existsSync(REAL_DOCKER_CLI)) unavailable['docker-cli-berth'] = `${REAL_DOCKER_CLI} not found`;
    else if (!berthUp) unavailable['docker-cli-berth'] = berthWhy;
    else cli.push({ id: 'docker-cli-berth', label: ENGINE_LABELS['docker-cli-berth'], program: [REAL_DOCKER_CLI], cli: [REAL_DOCKER_CLI, '-H', `unix://${sock}`], socketPath: sock, family: 'berth', pullFlags: [], runFlags: [] });
  }
  if (want('docker')) {
    const dockerCli = existsSync(REAL_DOCKER_CLI) ? REAL_DOCKER_CLI : findExecutable('docker');
    if (!dockerCli) unavailable.docker = 'no docker CLI';
    else {
      try {
        const dsock = await dockerd.ensure();
        cli.push({ id: 'docker', label: ENGINE_LABELS.docker, program: [dockerCli], cli: [dockerCli, '-H', `unix://${dsock}`], socketPath: dsock, family: 'docker', pullFlags: [], runFlags: [] });
      } catch (e) {
        unavailable.docker = (e as Error).message;
      }
    }
  }
  if (want('podman')) {
    const podman = findExecutable('podman');
    if (!podman) unavailable.podman = 'podman is not installed (apt-get install podman)';
    else cli.push({ id: 'podman', label: ENGINE_LABELS.podman, program: [podman], cli: [podman], family: 'podman', pullFlags: ['--tls-verify=false'], runFlags: ['--tls-verify=false', ...podmanUlimits()] });
  }
  let crun: string | undefined;
  if (want('crun')) {
    crun = findExecutable('crun');
    if (!crun) unavailable.crun = 'crun is not installed';
    else if (!existsSync('/bin/busybox')) {
      unavailable.crun = '/bin/busybox (busybox-static) is missing';
      crun = undefined;
    }
  }
  return { cli, crun, unavailable, close: () => dockerd.stop() };
}
