import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { OciLinuxResources } from '../oci-spec.js';
import {
  errnoOf, keyed, num, procsRecursive, removeCgroupTree, writeCgroup,
  kernelDirOps, type BlkioEntry, type CgroupDirOps, type CgroupDriver, type CgroupStats,
} from './cgroup-driver.js';
import { CGROUP_ROOT, readCgroupFile } from './cgroup-layout.js';
import { blkioWeightToIoWeight, cpuMax, maxValue, sharesToWeight, swapMax } from './v2-conversion.js';

const words = (s: string | undefined): string[] => (s ?? '').trim().split(/\s+/).filter(Boolean);

/** The unified hierarchy: one directory per cgroup, controllers handed down through cgroup.subtree_control. */
export class CgroupV2Driver implements CgroupDriver {
  readonly version = '2' as const;

  constructor(
    readonly root: string = CGROUP_ROOT,
    private readonly ops: CgroupDirOps = kernelDirOps,
  ) {}

  private dir(path: string): string {
    return join(this.root, path);
  }

  mountPoints(): string[] {
    return [this.root];
  }

  controllers(): Set<string> {
    const set = new Set(words(readCgroupFile(this.root, 'cgroup.controllers')));
    if (set.has('io')) set.add('blkio');
    return set;
  }

  swapLimit(parent: string): boolean {
    // Absent when the kernel does not account swap (swapaccount=0, no CONFIG_MEMCG_SWAP).
    return existsSync(join(this.dir(parent), 'memory.swap.max'));
  }

  /**
   * Enables in `dir`'s subtree_control every controller it has, so its children get their files;
   * returns those the kernel refused.
   */
  private delegate(dir: string): string[] {
    const available = words(readCgroupFile(dir, 'cgroup.controllers'));
    const enabled = new Set(words(readCgroupFile(dir, 'cgroup.subtree_control')));
    const missing = available.filter((c) => !enabled.has(c));
    if (!missing.length) return [];
    try {
      writeCgroup(dir, 'cgroup.subtree_control', missing.map((c) => `+${c}`).join(' '));
      return [];
    } catch {
      // One refusal fails the whole write (cpu with RT tasks about, a busy threaded subtree): one by one then.
      return missing.filter((c) => {
        try {
          writeCgroup(dir, 'cgroup.subtree_control', `+${c}`);
          return false;
        } catch {
          return true;
        }
      });
    }
  }

  setupParent(parent: string): string[] {
    const target = this.dir(parent);
    // Each ancestor must pass the controllers on: root first, then down to the parent itself.
    const chain: string[] = [];
    for (let d = target; d.length >= this.root.length; d = dirname(d)) {
      chain.unshift(d);
      if (d === this.root) break;
    }
    const refused: string[] = [];
    for (const d of chain) {
      if (!existsSync(d)) this.ops.mkdir(d);
      for (const c of this.delegate(d)) refused.push(`${c} in ${d}`);
    }
    return refused;
  }

  create(path: string): void {
    this.setupParent(dirname(path));
    const d = this.dir(path);
    if (!existsSync(d)) this.ops.mkdir(d);
  }

  dirs(path: string): string[] {
    const d = this.dir(path);
    return existsSync(d) ? [d] : [];
  }

  update(path: string, r: OciLinuxResources): void {
    const d = this.dir(path);
    if (!existsSync(d)) throw new Error(`cgroup ${d} does not exist`);
    const m = r.memory;
    if (m) {
      if (m.disableOOMKiller) throw new Error('cannot disable OOM killer with cgroupv2');
      if (m.swappiness !== undefined && m.swappiness >= 0) throw new Error('cannot set memory swappiness with cgroupv2');
      if (m.kernel !== undefined || m.kernelTCP !== undefined) throw new Error('cannot set kernel memory with cgroupv2');
      // On v2 memory and swap are independent limits: no write order to get right.
      if (m.limit !== undefined) writeCgroup(d, 'memory.max', maxValue(m.limit));
      if (m.swap !== undefined) {
        try {
          writeCgroup(d, 'memory.swap.max', swapMax(m.limit, m.swap));
        } catch (err) {
          if (errnoOf(err) !== 'ENOENT') throw err; // no swap accounting: nothing to limit
        }
      }
      if (m.reservation !== undefined) writeCgroup(d, 'memory.low', maxValue(m.reservation));
    }
    if (r.pids?.limit) writeCgroup(d, 'pids.max', maxValue(r.pids.limit));
    const c = r.cpu;
    if (c) {
      if (c.realtimePeriod || c.realtimeRuntime) throw new Error('realtime period not supported on cgroupv2');
      if (c.shares) writeCgroup(d, 'cpu.weight', sharesToWeight(c.shares));
      const max = cpuMax(c.quota, c.period, readCgroupFile(d, 'cpu.max'));
      if (max) writeCgroup(d, 'cpu.max', max);
      if (c.cpus) writeCgroup(d, 'cpuset.cpus', c.cpus);
      if (c.mems) writeCgroup(d, 'cpuset.mems', c.mems);
    }
    const b = r.blockIO;
    if (b) {
      if (b.leafWeight) throw new Error('cannot set leaf_weight with cgroupv2');
      if (b.weight) {
        // BFQ takes blkio's 10-1000 scale as is; the generic io.weight is 1-10000.
        if (existsSync(join(d, 'io.bfq.weight'))) writeCgroup(d, 'io.bfq.weight', b.weight);
        else writeCgroup(d, 'io.weight', blkioWeightToIoWeight(b.weight));
      }
      for (const w of b.weightDevice ?? []) if (w.weight) writeCgroup(d, 'io.bfq.weight', `${w.major}:${w.minor} ${w.weight}`);
      // io.max takes every key of a device on one line: "MAJ:MIN rbps=… wbps=… riops=… wiops=…".
      const perDevice = new Map<string, string[]>();
      const throttles = [
        ['rbps', b.throttleReadBpsDevice], ['wbps', b.throttleWriteBpsDevice],
        ['riops', b.throttleReadIOPSDevice], ['wiops', b.throttleWriteIOPSDevice],
      ] as const;
      for (const [key, list] of throttles) {
        for (const t of list ?? []) {
          const dev = `${t.major}:${t.minor}`;
          perDevice.set(dev, [...(perDevice.get(dev) ?? []), `${key}=${t.rate}`]);
        }
      }
      for (const [dev, keys] of perDevice) writeCgroup(d, 'io.max', `${dev} ${keys.join(' ')}`);
    }
    for (const h of r.hugepageLimits ?? []) writeCgroup(d, `hugetlb.${h.pageSize}.max`, maxValue(h.limit));
    // unified keys are written last and win, as the runtime does; one write per line.
    for (const [key, value] of Object.entries(r.unified ?? {})) {
      if (key.includes('/')) throw new Error(`key \`${key}\` must be a file name without any slash`);
      for (const line of value.split('\n').filter(Boolean)) writeCgroup(d, key, line);
    }
  }

  cpuStats(path: string): CgroupStats['cpu'] {
    const cpu = keyed(readCgroupFile(this.dir(path), 'cpu.stat'));
    return {
      totalNs: (cpu.usage_usec ?? 0) * 1000,
      userNs: (cpu.user_usec ?? 0) * 1000,
      systemNs: (cpu.system_usec ?? 0) * 1000,
      periods: cpu.nr_periods ?? 0,
      throttledPeriods: cpu.nr_throttled ?? 0,
      throttledTimeNs: (cpu.throttled_usec ?? 0) * 1000,
    };
  }

  stats(path: string): CgroupStats {
    const d = this.dir(path);
    const serviceBytes: BlkioEntry[] = [];
    const serviced: BlkioEntry[] = [];
    // io.stat: "MAJ:MIN rbytes=… wbytes=… rios=… wios=… dbytes=… dios=…"
    for (const line of (readCgroupFile(d, 'io.stat') ?? '').split('\n')) {
      const [dev, ...kv] = words(line);
      const mm = /^(\d+):(\d+)$/.exec(dev ?? '');
      if (!mm) continue;
      const f = Object.fromEntries(kv.map((x) => x.split('=') as [string, string]));
      const major = Number(mm[1]);
      const minor = Number(mm[2]);
      serviceBytes.push({ major, minor, op: 'read', value: Number(f.rbytes ?? 0) }, { major, minor, op: 'write', value: Number(f.wbytes ?? 0) });
      serviced.push({ major, minor, op: 'read', value: Number(f.rios ?? 0) }, { major, minor, op: 'write', value: Number(f.wios ?? 0) });
    }
    return {
      cpu: this.cpuStats(path),
      memory: {
        usage: num(readCgroupFile(d, 'memory.current')),
        limit: num(readCgroupFile(d, 'memory.max')),
        stats: keyed(readCgroupFile(d, 'memory.stat')),
      },
      pids: { current: num(readCgroupFile(d, 'pids.current')), limit: num(readCgroupFile(d, 'pids.max')) },
      blkio: { serviceBytes, serviced },
    };
  }

  oomKilled(path: string): boolean {
    // memory.events counts the whole subtree (unless memory_localevents), so sub-cgroups are covered.
    return (keyed(readCgroupFile(this.dir(path), 'memory.events')).oom_kill ?? 0) > 0;
  }

  pids(path: string): number[] {
    return procsRecursive(this.dir(path));
  }

  remove(path: string): string[] {
    const d = this.dir(path);
    removeCgroupTree(d, this.ops);
    return existsSync(d) ? [d] : [];
  }
}
