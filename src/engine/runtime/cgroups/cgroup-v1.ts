import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { OciLinuxResources } from '../oci-spec.js';
import {
  errnoOf, keyed, num, procsRecursive, removeCgroupTree, writeCgroup,
  kernelDirOps, type BlkioEntry, type CgroupDirOps, type CgroupDriver, type CgroupStats,
} from './cgroup-driver.js';
import { readCgroupFile, type CgroupLayout } from './cgroup-layout.js';

/** USER_HZ: cpuacct.stat counts in clock ticks. */
const TICKS_PER_SECOND = 100;
/** memory.limit_in_bytes when no limit is set (PAGE_COUNTER_MAX pages). */
const V1_UNLIMITED = 0x7ffffffffffff000;

/** v1 blkio files: "MAJ:MIN Op value" lines (and a "Total" line). */
function blkioEntries(text: string | undefined): BlkioEntry[] {
  const out: BlkioEntry[] = [];
  for (const line of (text ?? '').split('\n')) {
    const m = /^(\d+):(\d+)\s+(\S+)\s+(\d+)$/.exec(line.trim());
    if (m) out.push({ major: Number(m[1]), minor: Number(m[2]), op: m[3]!, value: Number(m[4]) });
  }
  return out;
}

/** One hierarchy per controller (cpu, memory, pids…), each holding its own copy of the container's path. */
export class CgroupV1Driver implements CgroupDriver {
  readonly version = '1' as const;

  constructor(
    private readonly layout: CgroupLayout,
    private readonly ops: CgroupDirOps = kernelDirOps,
  ) {}

  get root(): string {
    return this.layout.root;
  }

  /** The container's directory in the hierarchy carrying `controller`; undefined when it is not mounted. */
  private dir(controller: string, path: string): string | undefined {
    const mount = this.layout.v1.get(controller);
    return mount ? join(mount, path) : undefined;
  }

  mountPoints(): string[] {
    const points = new Set(this.layout.v1.values());
    // A hybrid host's cgroup2 holds the container too (crun creates it there); it must be cleaned up.
    if (this.layout.unified && existsSync(join(this.layout.unified, 'cgroup.controllers'))) points.add(this.layout.unified);
    return [...points];
  }

  controllers(): Set<string> {
    return new Set(this.layout.v1.keys());
  }

  swapLimit(): boolean {
    const mem = this.layout.v1.get('memory');
    return !!mem && existsSync(join(mem, 'memory.memsw.limit_in_bytes'));
  }

  setupParent(parent: string): string[] {
    const parts = parent.split('/').filter(Boolean);
    for (const point of this.mountPoints()) {
      // One level at a time, as the kernel creates each cgroup.
      for (let i = 1; i <= parts.length; i++) {
        const dir = join(point, ...parts.slice(0, i));
        if (existsSync(dir)) continue;
        this.ops.mkdir(dir);
        // cpuset children start empty and refuse tasks: inherit the parent's sets.
        if (existsSync(join(dir, 'cpuset.cpus')) && readFileSync(join(dir, 'cpuset.cpus'), 'utf8').trim() === '') {
          for (const f of ['cpuset.cpus', 'cpuset.mems']) writeCgroup(dir, f, readFileSync(join(dirname(dir), f), 'utf8').trim());
        }
      }
    }
    return [];
  }

  create(path: string): void {
    const parent = path.slice(0, path.lastIndexOf('/')) || '/';
    this.setupParent(parent);
    this.setupParent(path);
  }

  dirs(path: string): string[] {
    return this.mountPoints().map((p) => join(p, path)).filter((d) => existsSync(d));
  }

  update(path: string, r: OciLinuxResources): void {
    if (r.unified && Object.keys(r.unified).length) throw new Error('invalid configuration: cannot use unified on cgroup v1');
    const need = (controller: string): string => {
      const d = this.dir(controller, path);
      if (!d || !existsSync(d)) throw new Error(`cgroup controller ${controller} is not available for ${path}`);
      return d;
    };
    const m = r.memory;
    if (m && Object.keys(m).length) {
      const d = need('memory');
      // memory must stay ≤ memory+swap: raising both needs memsw first, lowering both memory first.
      // Try memory first; on EINVAL write memsw and then memory again (crun's order).
      let limitWritten = m.limit === undefined;
      if (m.limit !== undefined) {
        try {
          writeCgroup(d, 'memory.limit_in_bytes', m.limit);
          limitWritten = true;
        } catch (err) {
          if (errnoOf(err) !== 'EINVAL' || m.swap === undefined) throw err;
        }
      }
      if (m.swap !== undefined) {
        try {
          writeCgroup(d, 'memory.memsw.limit_in_bytes', m.swap);
        } catch (err) {
          if (errnoOf(err) !== 'ENOENT') throw err; // no swap accounting
        }
      }
      if (!limitWritten) writeCgroup(d, 'memory.limit_in_bytes', m.limit!);
      if (m.reservation !== undefined) writeCgroup(d, 'memory.soft_limit_in_bytes', m.reservation);
      if (m.disableOOMKiller) writeCgroup(d, 'memory.oom_control', '1');
      if (m.swappiness !== undefined && m.swappiness >= 0) writeCgroup(d, 'memory.swappiness', m.swappiness);
    }
    if (r.pids?.limit) writeCgroup(need('pids'), 'pids.max', r.pids.limit < 0 ? 'max' : r.pids.limit);
    const c = r.cpu;
    if (c) {
      if (c.shares || c.quota || c.period || c.realtimePeriod || c.realtimeRuntime) {
        const d = need('cpu');
        if (c.shares) writeCgroup(d, 'cpu.shares', c.shares);
        // A shorter period can be refused while the old quota is in force: retry it after the quota.
        let periodPending = false;
        if (c.period) {
          try {
            writeCgroup(d, 'cpu.cfs_period_us', c.period);
          } catch (err) {
            if (errnoOf(err) !== 'EINVAL' || !c.quota) throw err;
            periodPending = true;
          }
        }
        if (c.quota) writeCgroup(d, 'cpu.cfs_quota_us', c.quota);
        if (periodPending) writeCgroup(d, 'cpu.cfs_period_us', c.period!);
        if (c.realtimePeriod) writeCgroup(d, 'cpu.rt_period_us', c.realtimePeriod);
        if (c.realtimeRuntime) writeCgroup(d, 'cpu.rt_runtime_us', c.realtimeRuntime);
      }
      if (c.cpus || c.mems) {
        const d = need('cpuset');
        if (c.cpus) writeCgroup(d, 'cpuset.cpus', c.cpus);
        if (c.mems) writeCgroup(d, 'cpuset.mems', c.mems);
      }
    }
    const b = r.blockIO;
    if (b) {
      const d = need('blkio');
      const pick = (name: string, bfq: string): string => (existsSync(join(d, name)) ? name : bfq);
      if (b.weight) writeCgroup(d, pick('blkio.weight', 'blkio.bfq.weight'), b.weight);
      if (b.leafWeight) writeCgroup(d, 'blkio.leaf_weight', b.leafWeight);
      for (const w of b.weightDevice ?? []) {
        if (w.weight) writeCgroup(d, pick('blkio.weight_device', 'blkio.bfq.weight_device'), `${w.major}:${w.minor} ${w.weight}`);
      }
      const throttles = [
        ['blkio.throttle.read_bps_device', b.throttleReadBpsDevice], ['blkio.throttle.write_bps_device', b.throttleWriteBpsDevice],
        ['blkio.throttle.read_iops_device', b.throttleReadIOPSDevice], ['blkio.throttle.write_iops_device', b.throttleWriteIOPSDevice],
      ] as const;
      for (const [file, list] of throttles) for (const t of list ?? []) writeCgroup(d, file, `${t.major}:${t.minor} ${t.rate}`);
    }
    for (const h of r.hugepageLimits ?? []) writeCgroup(need('hugetlb'), `hugetlb.${h.pageSize}.limit_in_bytes`, h.limit);
  }

  private reader(path: string): (controller: string, file: string) => string | undefined {
    return (controller, file) => {
      const d = this.dir(controller, path);
      return d ? readCgroupFile(d, file) : undefined;
    };
  }

  private directBlkio: boolean | undefined;

  /**
   * Whether the kernel has CFQ's direct blkio counters (gone since 5.0): the hierarchy's root shows
   * the same files as every cgroup, so one look saves two failed opens, and their thrown errors,
   * per stats sample.
   */
  private hasDirectBlkio(): boolean {
    if (this.directBlkio === undefined) {
      const mount = this.layout.v1.get('blkio');
      this.directBlkio = !!mount && existsSync(join(mount, 'blkio.io_service_bytes_recursive'));
    }
    return this.directBlkio;
  }

  cpuStats(path: string): CgroupStats['cpu'] {
    const at = this.reader(path);
    const acct = keyed(at('cpuacct', 'cpuacct.stat'));
    const throttle = keyed(at('cpu', 'cpu.stat'));
    return {
      totalNs: num(at('cpuacct', 'cpuacct.usage')),
      userNs: ((acct.user ?? 0) * 1e9) / TICKS_PER_SECOND,
      systemNs: ((acct.system ?? 0) * 1e9) / TICKS_PER_SECOND,
      periods: throttle.nr_periods ?? 0,
      throttledPeriods: throttle.nr_throttled ?? 0,
      throttledTimeNs: throttle.throttled_time ?? 0,
    };
  }

  stats(path: string): CgroupStats {
    const at = this.reader(path);
    const limit = num(at('memory', 'memory.limit_in_bytes'));
    // The direct counters first, as dockerd reads them; the throttle ones where CFQ/BFQ accounting is off.
    const blk = (name: string): BlkioEntry[] => {
      const direct = this.hasDirectBlkio() ? blkioEntries(at('blkio', `blkio.${name}`)) : [];
      return direct.length ? direct : blkioEntries(at('blkio', `blkio.throttle.${name}`));
    };
    return {
      cpu: this.cpuStats(path),
      memory: {
        usage: num(at('memory', 'memory.usage_in_bytes')),
        limit: limit >= V1_UNLIMITED ? 0 : limit,
        stats: keyed(at('memory', 'memory.stat')),
        maxUsage: num(at('memory', 'memory.max_usage_in_bytes')),
        failcnt: num(at('memory', 'memory.failcnt')),
      },
      pids: { current: num(at('pids', 'pids.current')), limit: num(at('pids', 'pids.max')) },
      blkio: { serviceBytes: blk('io_service_bytes_recursive'), serviced: blk('io_serviced_recursive') },
    };
  }

  oomKilled(path: string): boolean {
    const d = this.dir('memory', path);
    return !!d && (keyed(readCgroupFile(d, 'memory.oom_control')).oom_kill ?? 0) > 0;
  }

  pids(path: string): number[] {
    // Every hierarchy holds the same tasks; pids (or memory) is the one crun always joins.
    for (const controller of ['pids', 'memory', 'cpu', 'freezer']) {
      const d = this.dir(controller, path);
      if (!d) continue;
      const pids = procsRecursive(d);
      if (pids.length) return pids;
    }
    return [];
  }

  remove(path: string): string[] {
    const dirs = this.mountPoints().map((p) => join(p, path));
    for (const d of dirs) removeCgroupTree(d, this.ops);
    return dirs.filter((d) => existsSync(d));
  }
}
