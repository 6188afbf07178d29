import { closeSync, constants, existsSync, mkdirSync, openSync, readdirSync, rmdirSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { OciLinuxResources } from '../oci-spec.js';
import { readCgroupFile } from './cgroup-layout.js';

/** One blkio/io counter of Docker's blkio_stats (`op` is "Read"/"Write"… on v1, "read"/"write" on v2, as dockerd reports). */
export interface BlkioEntry {
  major: number;
  minor: number;
  op: string;
  value: number;
}

/** A container cgroup's counters, already in the units Docker's stats API uses. */
export interface CgroupStats {
  cpu: { totalNs: number; userNs: number; systemNs: number; periods: number; throttledPeriods: number; throttledTimeNs: number };
  /** limit 0: none set. v1 also reports max_usage and failcnt. */
  memory: { usage: number; limit: number; stats: Record<string, number>; maxUsage?: number; failcnt?: number };
  /** limit 0: none set. */
  pids: { current: number; limit: number };
  blkio: { serviceBytes: BlkioEntry[]; serviced: BlkioEntry[] };
}

/**
 * Every read and write berth makes in the cgroup filesystem goes through this: one implementation
 * per layout (v1 hierarchies, v2 unified tree). `path` is a container's cgroup relative to the
 * root ("/berth/<id>"); the root is a parameter, so tests point a driver at a fake tree.
 */
export interface CgroupDriver {
  readonly version: '1' | '2';
  readonly root: string;
  /** Every directory a container cgroup has a part in (v1: each hierarchy; v2: the root). */
  mountPoints(): string[];
  /** Controllers the host offers, by their v1 names ("blkio" for v2's io). */
  controllers(): Set<string>;
  /** Whether swap can be limited (v1 memsw files, v2 memory.swap.max under berth's parent). */
  swapLimit(parent: string): boolean;
  /**
   * Creates a parent cgroup for containers, with the controllers its children need. Idempotent.
   * Returns the controllers it could not hand down ("memory in /sys/fs/cgroup"), for a warning.
   */
  setupParent(parent: string): string[];
  /** Creates a container cgroup (the runtime does this for real containers; tests and checks use it). */
  create(path: string): void;
  /** The container cgroup's directories that exist. */
  dirs(path: string): string[];
  /** Writes OCI linux.resources (a running container's new limits) as the runtime would at create. */
  update(path: string, resources: OciLinuxResources): void;
  stats(path: string): CgroupStats;
  /** Only the CPU counters of stats(): what precpu_stats needs, at a fraction of the reads. */
  cpuStats(path: string): CgroupStats['cpu'];
  /** Whether the kernel OOM-killed a process in the cgroup (read before it is removed). */
  oomKilled(path: string): boolean;
  /** Every pid in the cgroup and its sub-cgroups. */
  pids(path: string): number[];
  /** Removes the container cgroup (with any sub-cgroups); returns directories still busy. */
  remove(path: string): string[];
}

// ---- helpers both layouts share

/**
 * One write(2) per value, as cgroupfs wants, to a file that must exist: never O_CREAT (cgroupfs
 * answers EACCES to a create, hiding the ENOENT of a controller that is not enabled). Errors name
 * the file and keep their errno code (callers retry on EINVAL, skip on ENOENT).
 */
export function writeCgroup(dir: string, file: string, value: string | number): void {
  try {
    const fd = openSync(join(dir, file), constants.O_WRONLY | constants.O_TRUNC);
    try {
      writeSync(fd, String(value));
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const reason = e.code ? e.message.replace(/^\w+: ([^,]*).*$/s, '$1') : e.message;
    throw Object.assign(new Error(`write ${file} (${String(value)}): ${reason}`), { code: e.code });
  }
}

export const num = (s: string | undefined): number => (s === undefined || s.trim() === 'max' ? 0 : Number(s.trim()) || 0);

/** "key value" lines (memory.stat, cpu.stat, memory.events) as numbers. */
export function keyed(text: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of (text ?? '').split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && v !== '') out[k] = Number(v);
  }
  return out;
}

export function errnoOf(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/** Pids of cgroup.procs in dir and every sub-cgroup. */
export function procsRecursive(dir: string): number[] {
  const text = readCgroupFile(dir, 'cgroup.procs');
  if (text === undefined) return [];
  const out = text.split('\n').filter(Boolean).map(Number);
  let entries: string[] = [];
  try {
    entries = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    /* gone meanwhile */
  }
  for (const e of entries) out.push(...procsRecursive(join(dir, e)));
  return out;
}

/**
 * mkdir and rmdir of a cgroup: on cgroupfs the kernel fills a new directory with its interface files
 * and removes them with it. A test's fake tree passes its own, playing the kernel's part.
 */
export interface CgroupDirOps {
  mkdir(dir: string): void;
  rmdir(dir: string): void;
}

export const kernelDirOps: CgroupDirOps = { mkdir: (d) => mkdirSync(d), rmdir: (d) => rmdirSync(d) };

/** rmdir from the leaves up; a cgroup that still has tasks stays (the next cleanup retries). */
export function removeCgroupTree(dir: string, ops: CgroupDirOps = kernelDirOps): void {
  if (!existsSync(dir)) return;
  let entries: string[] = [];
  try {
    entries = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return;
  }
  for (const e of entries) removeCgroupTree(join(dir, e), ops);
  try {
    ops.rmdir(dir);
  } catch {
    /* busy */
  }
}
