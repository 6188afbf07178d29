import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import type { CgroupDirOps } from '../cgroup-driver.js';

/** Interface files the kernel puts in every non-root cgroup for each enabled controller. */
function controllerFiles(controller: string, o: FakeOptions): Record<string, string> {
  switch (controller) {
    case 'memory':
      return {
        'memory.max': 'max', 'memory.high': 'max', 'memory.low': '0', 'memory.min': '0', 'memory.current': '0',
        'memory.stat': 'anon 0\nfile 0\ninactive_file 0\n',
        'memory.events': 'low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n',
        ...(o.swap === false ? {} : { 'memory.swap.max': 'max', 'memory.swap.current': '0' }),
      };
    case 'cpu':
      return { 'cpu.max': 'max 100000', 'cpu.weight': '100', 'cpu.weight.nice': '0' };
    case 'pids':
      return { 'pids.max': 'max', 'pids.current': '0' };
    case 'cpuset':
      return { 'cpuset.cpus': '', 'cpuset.mems': '', 'cpuset.cpus.effective': '0-1', 'cpuset.mems.effective': '0' };
    case 'io':
      return { 'io.max': '', 'io.stat': '', 'io.weight': 'default 100', ...(o.bfq ? { 'io.bfq.weight': 'default 100' } : {}) };
    case 'hugetlb':
      return { 'hugetlb.2MB.max': 'max', 'hugetlb.2MB.current': '0' };
    default:
      return {};
  }
}

export interface FakeOptions {
  /** Controllers the root offers (cgroup.controllers). */
  controllers?: string[];
  /** memory.swap.max exists (swap accounting on); default true. */
  swap?: boolean;
  /** The BFQ scheduler's io.bfq.weight exists; default false. */
  bfq?: boolean;
}

export interface FakeCgroup2 {
  root: string;
  /** mkdir/rmdir with the kernel's side: interface files appear and go, busy cgroups refuse rmdir. */
  ops: CgroupDirOps;
  read(path: string, file: string): string;
  write(path: string, file: string, value: string): void;
  remove(): void;
}

const tokens = (s: string): string[] => s.trim().split(/\s+/).filter(Boolean);

/**
 * A temporary directory laid out as a cgroup2 mount, playing the kernel's part for mkdir (a child
 * gets cgroup.controllers = its parent's subtree_control, and those controllers' files) and rmdir
 * (EBUSY while cgroup.procs lists a task or a child cgroup exists).
 */
export function fakeCgroup2(o: FakeOptions = {}): FakeCgroup2 {
  const root = mkdtempSync(join(os.tmpdir(), 'berth-cgroup2-'));
  const controllers = o.controllers ?? ['cpuset', 'cpu', 'io', 'memory', 'hugetlb', 'pids', 'rdma', 'misc'];
  const put = (dir: string, files: Record<string, string>): void => {
    for (const [f, v] of Object.entries(files)) writeFileSync(join(dir, f), v);
  };
  put(root, {
    'cgroup.controllers': controllers.join(' '),
    'cgroup.subtree_control': '',
    'cgroup.procs': '1\n',
    'cgroup.max.depth': 'max',
    'cpu.stat': 'usage_usec 0\nuser_usec 0\nsystem_usec 0\n',
  });
  const enabledIn = (dir: string): string[] => {
    // subtree_control as last written: "+a +b" tokens (the kernel keeps the union; one write per setup here).
    const t = tokens(readFileSync(join(dir, 'cgroup.subtree_control'), 'utf8'));
    return t.filter((x) => !x.startsWith('-')).map((x) => x.replace(/^\+/, ''));
  };
  const ops: CgroupDirOps = {
    mkdir(dir) {
      mkdirSync(dir);
      const enabled = enabledIn(dirname(dir));
      put(dir, {
        'cgroup.controllers': enabled.join(' '),
        'cgroup.subtree_control': '',
        'cgroup.procs': '',
        'cgroup.events': 'populated 0\nfrozen 0\n',
        'cgroup.type': 'domain',
        'cpu.stat': 'usage_usec 0\nuser_usec 0\nsystem_usec 0\n',
      });
      for (const c of enabled) put(dir, controllerFiles(c, o));
    },
    rmdir(dir) {
      const busy = readFileSync(join(dir, 'cgroup.procs'), 'utf8').trim() !== '' || readdirSync(dir, { withFileTypes: true }).some((e) => e.isDirectory());
      if (busy) throw Object.assign(new Error(`EBUSY: resource busy or locked, rmdir '${dir}'`), { code: 'EBUSY' });
      for (const f of readdirSync(dir)) rmSync(join(dir, f));
      rmdirSync(dir);
    },
  };
  return {
    root,
    ops,
    read: (path, file) => readFileSync(join(root, path, file), 'utf8').trim(),
    write: (path, file, value) => {
      if (!existsSync(join(root, path))) throw new Error(`no cgroup ${path}`);
      writeFileSync(join(root, path, file), value);
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}
