import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from '../../common/logger.js';
import type { CgroupDriver } from './cgroups/cgroup-driver.js';
import { CGROUP_ROOT, detectCgroupLayout } from './cgroups/cgroup-layout.js';
import {
  BERTH_CGROUP_PARENT, cgroupManagerFrom, containerParent, systemdRunning, type CgroupManager,
} from './cgroups/cgroup-manager.js';
import { CgroupV1Driver } from './cgroups/cgroup-v1.js';
import { CgroupV2Driver } from './cgroups/cgroup-v2.js';

const run = promisify(execFile);

// Hierarchies crun expects as v1 on a hybrid host; left on the cgroup2 mount crun refuses every
// container ("cgroups in hybrid mode not supported"). Mount name → controllers.
const V1_EXTRA_HIERARCHIES: Record<string, string> = {
  hugetlb: 'hugetlb',
  'net_cls,net_prio': 'net_cls,net_prio',
  perf_event: 'perf_event',
};

export interface HostInfo {
  cgroupVersion: '1' | '2';
  /** Docker's name for who manages container cgroups (`docker info`: Cgroup Driver). */
  cgroupDriver: CgroupManager;
  kernel: string;
  /** Hard limits the runtime cannot exceed (CAP_SYS_RESOURCE may be missing). */
  nofileHard: number;
  nprocHard: number;
  /** oom_score_adj of berthd: without CAP_SYS_RESOURCE a container cannot go below it. */
  oomScoreAdj: number;
  canLowerOomScore: boolean;
  memoryLimit: boolean;
  swapLimit: boolean;
  cpuCfsQuota: boolean;
  cpuShares: boolean;
  cpuset: boolean;
  pidsLimit: boolean;
  oomKillDisable: boolean;
  kernelMemory: boolean;
  /** cgroup v1's cpu.rt_* files: v2 has no real-time group scheduling. */
  cpuRealtime: boolean;
  blkioWeight: boolean;
}

let cached: HostInfo | undefined;
let driver: CgroupDriver | undefined;
let manager: CgroupManager | undefined;

/** The cgroup layout's driver for this host: every cgroup read and write goes through it. */
export function cgroupDriver(): CgroupDriver {
  if (!driver) {
    const layout = detectCgroupLayout();
    driver = layout.version === '2' ? new CgroupV2Driver(layout.root) : new CgroupV1Driver(layout);
  }
  return driver;
}

/** The host's cgroup version (the layout's, from mountinfo). */
export function cgroupVersionOf(): '1' | '2' {
  return cgroupDriver().version;
}

/** Every cgroup mount a container has a part in (v1: each hierarchy and a hybrid's cgroup2; v2: the root). */
export function cgroupMountPoints(): string[] {
  return cgroupDriver().mountPoints();
}

/** The cgroup manager in use (cgroupfs unless prepareHost chose systemd). */
export function cgroupManager(): CgroupManager {
  return manager ?? 'cgroupfs';
}

function parseLimits(): { nofile: number; nproc: number } {
  const text = readFileSync('/proc/self/limits', 'utf8');
  const hard = (name: string): number => {
    const m = new RegExp(`^${name}\\s+\\S+\\s+(\\S+)`, 'm').exec(text);
    if (!m || m[1] === 'unlimited') return Number.MAX_SAFE_INTEGER;
    return Number(m[1]);
  };
  return { nofile: hard('Max open files'), nproc: hard('Max processes') };
}

function capEffHas(bit: number): boolean {
  const m = /^CapEff:\s*([0-9a-f]+)/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? (BigInt(`0x${m[1]}`) & (1n << BigInt(bit))) !== 0n : false;
}

function v1Enabled(): Set<string> {
  // /proc/cgroups: subsys hierarchy num enabled; hierarchy 0 means "not mounted as v1".
  const mounted = new Set<string>();
  for (const line of readFileSync('/proc/cgroups', 'utf8').split('\n').slice(1)) {
    const [name, hierarchy, , enabled] = line.split(/\s+/);
    if (name && enabled === '1' && hierarchy !== '0') mounted.add(name);
  }
  return mounted;
}

async function mountMissingV1(logger: Logger): Promise<void> {
  const mounted = v1Enabled();
  const available = new Set(
    readFileSync('/proc/cgroups', 'utf8')
      .split('\n')
      .slice(1)
      .map((l) => l.split(/\s+/)[0])
      .filter(Boolean),
  );
  for (const [dir, controllers] of Object.entries(V1_EXTRA_HIERARCHIES)) {
    const names = controllers.split(',');
    if (!names.every((n) => available.has(n))) continue;
    if (names.every((n) => mounted.has(n))) continue;
    const target = join(CGROUP_ROOT, dir);
    mkdirSync(target, { recursive: true });
    try {
      await run('mount', ['-t', 'cgroup', '-o', controllers, 'cgroup', target]);
      logger.info({ controllers, target }, 'mounted missing cgroup v1 hierarchy');
    } catch (err) {
      logger.warn({ err, controllers }, 'could not mount cgroup v1 hierarchy; crun may refuse containers');
    }
  }
}

function readOomScoreAdj(): number {
  try {
    return Number(readFileSync('/proc/self/oom_score_adj', 'utf8').trim());
  } catch {
    return 0;
  }
}

function detect(): HostInfo {
  const d = cgroupDriver();
  const limits = parseLimits();
  const has = d.controllers();
  const parent = containerParent(cgroupManager());
  const parentDirs = d.dirs(parent);
  const parentHas = (...files: string[]): boolean => parentDirs.some((x) => files.some((f) => existsSync(join(x, f))));
  return {
    cgroupVersion: d.version,
    cgroupDriver: cgroupManager(),
    kernel: os.release(),
    nofileHard: limits.nofile,
    nprocHard: limits.nproc,
    oomScoreAdj: readOomScoreAdj(),
    canLowerOomScore: capEffHas(24), // CAP_SYS_RESOURCE
    memoryLimit: has.has('memory'),
    swapLimit: has.has('memory') && d.swapLimit(parent),
    cpuCfsQuota: has.has('cpu'),
    cpuShares: has.has('cpu'),
    cpuset: has.has('cpuset'),
    pidsLimit: has.has('pids'),
    oomKillDisable: d.version === '1' && has.has('memory'),
    kernelMemory: false,
    // v2 has no real-time group scheduling; v1 only with CONFIG_RT_GROUP_SCHED.
    cpuRealtime: d.version === '1' && parentHas('cpu.rt_runtime_us'),
    // A weight needs a file the runtime writes: v1 blkio.weight (crun 1.8 has no blkio.bfq.weight
    // fallback; dockerd, looking at the hierarchy's root, finds neither on a BFQ-only host either),
    // v2 io.bfq.weight or io.weight.
    blkioWeight: d.version === '1' ? parentHas('blkio.weight') : parentHas('io.weight', 'io.bfq.weight'),
  };
}

/**
 * Makes the host ready for crun: mounts the v1 hierarchies a hybrid host lacks, creates berth's
 * parent cgroup, and records the limits specs must stay under. Idempotent.
 */
export async function prepareHost(logger: Logger, execOpts: string[] = []): Promise<HostInfo> {
  const d = cgroupDriver();
  manager = cgroupManagerFrom(execOpts, d.version, systemdRunning());
  if (d.version === '1') {
    await mountMissingV1(logger);
    driver = undefined; // re-read the mounts just made
  }
  // systemd creates its slice itself; with cgroupfs berth owns /berth and hands it the controllers.
  if (manager === 'cgroupfs') {
    const refused = cgroupDriver().setupParent(BERTH_CGROUP_PARENT);
    if (refused.length) {
      // Typically processes sitting in a non-root cgroup (a cgroup namespace's root): v2 lets no
      // cgroup both hold tasks and hand controllers down. Containers then lack those limits.
      logger.warn({ refused }, 'cgroup v2: could not enable these controllers for containers; move the processes of those cgroups into a leaf cgroup');
    }
  }
  cached = detect();
  logger.debug({ host: cached }, 'host prepared');
  return cached;
}

/** What this host offers containers, for /info and for the spec builder. */
export function hostInfo(): HostInfo {
  cached ??= detect();
  return cached;
}
