import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from '../../common/logger.js';

const run = promisify(execFile);

export const CGROUP_ROOT = '/sys/fs/cgroup';
/** berth's parent cgroup; each container lives at /berth/<id>. */
export const BERTH_CGROUP_PARENT = '/berth';

// Hierarchies crun expects as v1 on a hybrid host; left on the cgroup2 mount crun refuses every
// container ("cgroups in hybrid mode not supported"). Mount name → controllers.
const V1_EXTRA_HIERARCHIES: Record<string, string> = {
  hugetlb: 'hugetlb',
  'net_cls,net_prio': 'net_cls,net_prio',
  perf_event: 'perf_event',
};

export interface HostInfo {
  cgroupVersion: '1' | '2';
  cgroupDriver: 'cgroupfs';
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
}

let cached: HostInfo | undefined;

export function cgroupVersionOf(root = CGROUP_ROOT): '1' | '2' {
  return existsSync(join(root, 'cgroup.controllers')) ? '2' : '1';
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

/** Mount points of v1 hierarchies, keyed by each controller they carry. */
export function v1Hierarchies(): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const [fstype, , super_] = line.slice(sep + 3).split(' ');
    if (fstype !== 'cgroup') continue;
    const mountPoint = line.slice(0, sep).split(' ')[4]!;
    for (const opt of (super_ ?? '').split(',')) {
      if (['rw', 'ro', 'relatime', 'noexec', 'nosuid', 'nodev'].includes(opt)) continue;
      out.set(opt, mountPoint);
    }
  }
  return out;
}

/** Every cgroup directory that can hold berth's containers (v1: each hierarchy + unified; v2: the root). */
export function cgroupMountPoints(): string[] {
  if (cgroupVersionOf() === '2') return [CGROUP_ROOT];
  const points = new Set(v1Hierarchies().values());
  const unified = join(CGROUP_ROOT, 'unified');
  if (existsSync(join(unified, 'cgroup.controllers'))) points.add(unified);
  return [...points];
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

function ensureParentCgroups(): void {
  for (const point of cgroupMountPoints()) {
    const dir = join(point, BERTH_CGROUP_PARENT);
    if (existsSync(dir)) continue;
    mkdirSync(dir);
    // v1 cpuset children start empty and refuse tasks: inherit the parent's sets.
    if (existsSync(join(dir, 'cpuset.cpus')) && readFileSync(join(dir, 'cpuset.cpus'), 'utf8').trim() === '') {
      for (const f of ['cpuset.cpus', 'cpuset.mems']) {
        writeFileCgroup(join(dir, f), readFileSync(join(point, f), 'utf8'));
      }
    }
  }
  if (cgroupVersionOf() === '2') enableV2Controllers();
}

function writeFileCgroup(path: string, value: string): void {
  // cgroupfs wants one write(2) per value.
  writeFileSync(path, value.trim());
}

function enableV2Controllers(): void {
  const root = CGROUP_ROOT;
  const wanted = readFileSync(join(root, 'cgroup.controllers'), 'utf8').trim().split(/\s+/).filter(Boolean);
  const parent = join(root, BERTH_CGROUP_PARENT);
  for (const dir of [root, parent]) {
    const enabled = new Set(readFileSync(join(dir, 'cgroup.subtree_control'), 'utf8').trim().split(/\s+/));
    for (const c of wanted) {
      if (enabled.has(c)) continue;
      try {
        writeFileCgroup(join(dir, 'cgroup.subtree_control'), `+${c}`);
      } catch {
        // a controller may be busy in a threaded subtree; crun reports what it lacks
      }
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
  const version = cgroupVersionOf();
  const limits = parseLimits();
  const v1 = version === '1' ? v1Hierarchies() : new Map<string, string>();
  const v2Controllers =
    version === '2' ? new Set(readFileSync(join(CGROUP_ROOT, 'cgroup.controllers'), 'utf8').trim().split(/\s+/)) : new Set();
  const has = (c: string): boolean => (version === '1' ? v1.has(c) : v2Controllers.has(c === 'blkio' ? 'io' : c));
  const memoryDir = v1.get('memory');
  return {
    cgroupVersion: version,
    cgroupDriver: 'cgroupfs',
    kernel: os.release(),
    nofileHard: limits.nofile,
    nprocHard: limits.nproc,
    oomScoreAdj: readOomScoreAdj(),
    canLowerOomScore: capEffHas(24), // CAP_SYS_RESOURCE
    memoryLimit: has('memory'),
    swapLimit:
      version === '1'
        ? !!memoryDir && existsSync(join(memoryDir, 'memory.memsw.limit_in_bytes'))
        : v2Controllers.has('memory'),
    cpuCfsQuota: has('cpu'),
    cpuShares: has('cpu'),
    cpuset: has('cpuset'),
    pidsLimit: has('pids'),
    oomKillDisable: version === '1' && has('memory'),
    kernelMemory: false,
  };
}

/**
 * Makes the host ready for crun: mounts the v1 hierarchies a hybrid host lacks, creates berth's
 * parent cgroup, and records the limits specs must stay under. Idempotent.
 */
export async function prepareHost(logger: Logger): Promise<HostInfo> {
  if (cgroupVersionOf() === '1') await mountMissingV1(logger);
  ensureParentCgroups();
  cached = detect();
  logger.debug({ host: cached }, 'host prepared');
  return cached;
}

/** What this host offers containers, for /info and for the spec builder. */
export function hostInfo(): HostInfo {
  cached ??= detect();
  return cached;
}
