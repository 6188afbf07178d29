import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, test } from 'node:test';
import type { CgroupDirOps } from './cgroup-driver.js';
import { CgroupV1Driver } from './cgroup-v1.js';

// v1 runs for real on this build host (integration tests); this pins the parsing and the write
// targets on a fake tree of hierarchies, as the v2 tests do for the unified layout.

const FILES: Record<string, Record<string, string>> = {
  cpu: { 'cpu.shares': '1024', 'cpu.cfs_quota_us': '-1', 'cpu.cfs_period_us': '100000', 'cpu.rt_period_us': '1000000', 'cpu.rt_runtime_us': '0', 'cpu.stat': 'nr_periods 0\nnr_throttled 0\nthrottled_time 0\n' },
  cpuacct: { 'cpuacct.usage': '0', 'cpuacct.stat': 'user 0\nsystem 0\n' },
  cpuset: { 'cpuset.cpus': '', 'cpuset.mems': '' },
  memory: {
    'memory.limit_in_bytes': '9223372036854771712', 'memory.memsw.limit_in_bytes': '9223372036854771712', 'memory.soft_limit_in_bytes': '9223372036854771712',
    'memory.usage_in_bytes': '0', 'memory.max_usage_in_bytes': '0', 'memory.failcnt': '0', 'memory.stat': 'cache 0\nrss 0\n',
    'memory.oom_control': 'oom_kill_disable 0\nunder_oom 0\noom_kill 0\n', 'memory.swappiness': '60',
  },
  pids: { 'pids.max': 'max', 'pids.current': '0' },
  blkio: { 'blkio.throttle.io_service_bytes_recursive': '', 'blkio.throttle.io_serviced_recursive': '', 'blkio.throttle.read_bps_device': '' },
};

let root: string | undefined;

function setup(): { d: CgroupV1Driver; read: (c: string, p: string, f: string) => string; write: (c: string, p: string, f: string, v: string) => void } {
  root = mkdtempSync(join(os.tmpdir(), 'berth-cgroup1-'));
  const r = root;
  const v1 = new Map<string, string>();
  for (const c of Object.keys(FILES)) {
    const mount = join(r, c);
    mkdirSync(mount);
    for (const [f, v] of Object.entries(FILES[c]!)) writeFileSync(join(mount, f), v);
    if (c === 'cpuset') {
      writeFileSync(join(mount, 'cpuset.cpus'), '0-1');
      writeFileSync(join(mount, 'cpuset.mems'), '0');
    }
    writeFileSync(join(mount, 'cgroup.procs'), '1\n');
    v1.set(c, mount);
  }
  const controllerOf = (dir: string): string => dir.slice(r.length + 1).split('/')[0]!;
  const ops: CgroupDirOps = {
    mkdir(dir) {
      mkdirSync(dir);
      for (const [f, v] of Object.entries(FILES[controllerOf(dir)] ?? {})) writeFileSync(join(dir, f), v);
      writeFileSync(join(dir, 'cgroup.procs'), '');
    },
    rmdir(dir) {
      if (readFileSync(join(dir, 'cgroup.procs'), 'utf8').trim()) throw Object.assign(new Error('EBUSY'), { code: 'EBUSY' });
      for (const f of readdirSync(dir)) rmSync(join(dir, f));
      rmdirSync(dir);
    },
  };
  const d = new CgroupV1Driver({ version: '1', root: r, v1 }, ops);
  return {
    d,
    read: (c, p, f) => readFileSync(join(r, c, p, f), 'utf8').trim(),
    write: (c, p, f, v) => writeFileSync(join(r, c, p, f), v),
  };
}

afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

const CID = '/berth/abc';

test('v1 setup makes the parent in every hierarchy and gives cpuset children the parent\'s sets', () => {
  const { d, read } = setup();
  d.setupParent('/berth');
  d.create(CID);
  assert.equal(d.dirs(CID).length, Object.keys(FILES).length);
  assert.equal(read('cpuset', '/berth', 'cpuset.cpus'), '0-1');
  assert.equal(read('cpuset', CID, 'cpuset.mems'), '0');
  assert.equal(d.swapLimit(), true);
});

test('v1 update writes each controller\'s own files, OCI values as they are', () => {
  const { d, read } = setup();
  d.create(CID);
  d.update(CID, {
    memory: { limit: 64 << 20, swap: 128 << 20, reservation: 16 << 20, swappiness: 10, disableOOMKiller: true },
    cpu: { shares: 512, quota: 50000, period: 100000, cpus: '1', mems: '0', realtimeRuntime: 950000 },
    pids: { limit: 50 },
    blockIO: { throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1048576 }] },
  });
  assert.equal(read('memory', CID, 'memory.limit_in_bytes'), String(64 << 20));
  assert.equal(read('memory', CID, 'memory.memsw.limit_in_bytes'), String(128 << 20));
  assert.equal(read('memory', CID, 'memory.soft_limit_in_bytes'), String(16 << 20));
  assert.equal(read('memory', CID, 'memory.swappiness'), '10');
  assert.equal(read('memory', CID, 'memory.oom_control'), '1');
  assert.equal(read('cpu', CID, 'cpu.shares'), '512');
  assert.equal(read('cpu', CID, 'cpu.cfs_quota_us'), '50000');
  assert.equal(read('cpu', CID, 'cpu.rt_runtime_us'), '950000');
  assert.equal(read('cpuset', CID, 'cpuset.cpus'), '1');
  assert.equal(read('pids', CID, 'pids.max'), '50');
  assert.equal(read('blkio', CID, 'blkio.throttle.read_bps_device'), '8:0 1048576');
  d.update(CID, { pids: { limit: -1 } });
  assert.equal(read('pids', CID, 'pids.max'), 'max');
  assert.throws(() => d.update(CID, { unified: { 'memory.high': '1' } }), /cannot use unified on cgroup v1/);
  // No blkio.weight in this hierarchy (a BFQ-only kernel): the write fails rather than creating a file.
  assert.throws(() => d.update(CID, { blockIO: { weight: 300 } }), /blkio\.bfq\.weight/);
});

test('v1 stats: cpuacct ticks to ns, unlimited memory as no limit, throttle counters for block I/O', () => {
  const { d, write } = setup();
  d.create(CID);
  write('cpuacct', CID, 'cpuacct.usage', '123456789');
  write('cpuacct', CID, 'cpuacct.stat', 'user 30\nsystem 20\n');
  write('cpu', CID, 'cpu.stat', 'nr_periods 9\nnr_throttled 3\nthrottled_time 4000\n');
  write('memory', CID, 'memory.usage_in_bytes', '2097152');
  write('memory', CID, 'memory.max_usage_in_bytes', '4194304');
  write('memory', CID, 'memory.failcnt', '2');
  write('pids', CID, 'pids.current', '4');
  write('blkio', CID, 'blkio.throttle.io_service_bytes_recursive', '8:0 Read 4096\n8:0 Write 512\n8:0 Sync 4608\n8:0 Async 0\n8:0 Discard 0\n8:0 Total 4608\nTotal 4608\n');
  const s = d.stats(CID);
  assert.deepEqual(s.cpu, { totalNs: 123456789, userNs: 300000000, systemNs: 200000000, periods: 9, throttledPeriods: 3, throttledTimeNs: 4000 });
  assert.deepEqual(d.cpuStats(CID), s.cpu, 'the CPU-only read gives the same counters');
  assert.equal(s.memory.usage, 2097152);
  assert.equal(s.memory.limit, 0, 'PAGE_COUNTER_MAX is no limit');
  assert.equal(s.memory.maxUsage, 4194304);
  assert.equal(s.memory.failcnt, 2);
  assert.deepEqual(s.pids, { current: 4, limit: 0 });
  assert.deepEqual(s.blkio.serviceBytes.slice(0, 2), [{ major: 8, minor: 0, op: 'Read', value: 4096 }, { major: 8, minor: 0, op: 'Write', value: 512 }]);
  assert.equal(s.blkio.serviceBytes.length, 6, 'the grand total line is not a device');
  write('memory', CID, 'memory.limit_in_bytes', String(64 << 20));
  assert.equal(d.stats(CID).memory.limit, 64 << 20);
});

test('v1 OOM kill from memory.oom_control, pids from the pids hierarchy, removal from every hierarchy', () => {
  const { d, write } = setup();
  d.create(CID);
  assert.equal(d.oomKilled(CID), false);
  write('memory', CID, 'memory.oom_control', 'oom_kill_disable 0\nunder_oom 0\noom_kill 1\n');
  assert.equal(d.oomKilled(CID), true);
  write('pids', CID, 'cgroup.procs', '10\n11\n');
  assert.deepEqual(d.pids(CID), [10, 11]);
  const busy = d.remove(CID);
  assert.deepEqual(busy, [join(root!, 'pids', CID)]);
  write('pids', CID, 'cgroup.procs', '');
  assert.deepEqual(d.remove(CID), []);
  assert.equal(existsSync(join(root!, 'memory', CID)), false);
  assert.ok(existsSync(dirname(join(root!, 'memory', CID))), 'the parent stays');
});

test('v1 stats: a kernel with CFQ counters reads them first, the throttle ones when they are empty', () => {
  const { d, write } = setup();
  d.create(CID);
  for (const dir of ['', CID]) {
    write('blkio', dir, 'blkio.io_service_bytes_recursive', '');
    write('blkio', dir, 'blkio.io_serviced_recursive', '');
  }
  write('blkio', CID, 'blkio.throttle.io_service_bytes_recursive', '8:0 Read 7\nTotal 7\n');
  assert.deepEqual(d.stats(CID).blkio.serviceBytes, [{ major: 8, minor: 0, op: 'Read', value: 7 }], 'empty CFQ counters: the throttle ones');
  write('blkio', CID, 'blkio.io_service_bytes_recursive', '8:16 Write 9\nTotal 9\n');
  assert.deepEqual(d.stats(CID).blkio.serviceBytes, [{ major: 8, minor: 16, op: 'Write', value: 9 }]);
});
