import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import { CgroupV2Driver } from './cgroup-v2.js';
import { fakeCgroup2, type FakeCgroup2, type FakeOptions } from './testing/fake-cgroup2.js';

const MiB = 1024 * 1024;
const CID = '/berth/0123abcd';
let fake: FakeCgroup2 | undefined;

function setup(o: FakeOptions = {}): { fake: FakeCgroup2; d: CgroupV2Driver } {
  fake = fakeCgroup2(o);
  const d = new CgroupV2Driver(fake.root, fake.ops);
  d.setupParent('/berth');
  d.create(CID);
  return { fake, d };
}

afterEach(() => {
  fake?.remove();
  fake = undefined;
});

test('v2 setup hands every controller down from the root to berth\'s parent, so a container cgroup gets its files', () => {
  const { fake, d } = setup();
  assert.deepEqual(fake.read('/', 'cgroup.subtree_control').split(' ').sort(), ['+cpu', '+cpuset', '+hugetlb', '+io', '+memory', '+misc', '+pids', '+rdma']);
  assert.deepEqual(fake.read('/berth', 'cgroup.controllers').split(' ').sort(), ['cpu', 'cpuset', 'hugetlb', 'io', 'memory', 'misc', 'pids', 'rdma']);
  for (const f of ['memory.max', 'memory.swap.max', 'cpu.max', 'cpu.weight', 'pids.max', 'cpuset.cpus', 'io.max']) {
    assert.ok(existsSync(join(fake.root, CID, f)), f);
  }
  assert.equal(d.version, '2');
  assert.deepEqual(d.dirs(CID), [join(fake.root, CID)]);
  assert.deepEqual(d.mountPoints(), [fake.root]);
  assert.ok(d.controllers().has('blkio'), 'io is offered under its v1 name too');
  assert.equal(d.swapLimit('/berth'), true);
  // Idempotent: a second setup finds everything enabled and writes nothing new.
  d.setupParent('/berth');
  assert.equal(fake.read('/berth', 'cgroup.controllers').split(' ').length, 8);
});

test('v2 without swap accounting reports no swap limit and ignores a swap setting', () => {
  const { d, fake } = setup({ swap: false });
  assert.equal(d.swapLimit('/berth'), false);
  d.update(CID, { memory: { limit: 32 * MiB, swap: 64 * MiB } });
  assert.equal(fake.read(CID, 'memory.max'), String(32 * MiB));
});

test('v2 limits: OCI resources land in the unified files with crun\'s conversions', () => {
  const { d, fake } = setup();
  d.update(CID, {
    memory: { limit: 64 * MiB, swap: 128 * MiB, reservation: 16 * MiB },
    cpu: { shares: 512, quota: 50000, period: 100000, cpus: '0-1', mems: '0' },
    pids: { limit: 50 },
    blockIO: { weight: 500, throttleReadBpsDevice: [{ major: 8, minor: 0, rate: MiB }], throttleWriteIOPSDevice: [{ major: 8, minor: 0, rate: 100 }] },
    hugepageLimits: [{ pageSize: '2MB', limit: 4 * MiB }],
  });
  assert.equal(fake.read(CID, 'memory.max'), String(64 * MiB));
  // OCI swap is memory+swap; v2's memory.swap.max is swap alone.
  assert.equal(fake.read(CID, 'memory.swap.max'), String(64 * MiB));
  assert.equal(fake.read(CID, 'memory.low'), String(16 * MiB));
  assert.equal(fake.read(CID, 'cpu.weight'), '20'); // 1 + (512-2)*9999/262142
  assert.equal(fake.read(CID, 'cpu.max'), '50000 100000');
  assert.equal(fake.read(CID, 'cpuset.cpus'), '0-1');
  assert.equal(fake.read(CID, 'cpuset.mems'), '0');
  assert.equal(fake.read(CID, 'pids.max'), '50');
  assert.equal(fake.read(CID, 'io.weight'), '4950'); // 1 + (500-10)*9999/990, no BFQ
  assert.equal(fake.read(CID, 'io.max'), '8:0 rbps=1048576 wiops=100');
  assert.equal(fake.read(CID, 'hugetlb.2MB.max'), String(4 * MiB));
});

test('v2 blkio weight goes to io.bfq.weight unconverted where BFQ is the scheduler', () => {
  const { d, fake } = setup({ bfq: true });
  d.update(CID, { blockIO: { weight: 300 } });
  assert.equal(fake.read(CID, 'io.bfq.weight'), '300');
  assert.equal(fake.read(CID, 'io.weight'), 'default 100');
});

test('v2 live update: changed fields only, unlimited as "max", a period alone keeps the quota', () => {
  const { d, fake } = setup();
  d.update(CID, { memory: { limit: 64 * MiB, swap: 128 * MiB }, cpu: { quota: 50000, period: 100000 }, pids: { limit: 50 } });
  d.update(CID, { cpu: { period: 200000 } });
  assert.equal(fake.read(CID, 'cpu.max'), '50000 200000');
  d.update(CID, { cpu: { quota: 150000 } });
  assert.equal(fake.read(CID, 'cpu.max'), '150000 200000');
  d.update(CID, { cpu: { quota: -1 } });
  assert.equal(fake.read(CID, 'cpu.max'), 'max 200000');
  d.update(CID, { memory: { limit: 256 * MiB, swap: -1 } });
  assert.equal(fake.read(CID, 'memory.max'), String(256 * MiB));
  assert.equal(fake.read(CID, 'memory.swap.max'), 'max');
  d.update(CID, { memory: { limit: 128 * MiB, swap: 128 * MiB } });
  assert.equal(fake.read(CID, 'memory.swap.max'), '0', 'memory+swap = memory: no swap');
  d.update(CID, { pids: { limit: -1 } });
  assert.equal(fake.read(CID, 'pids.max'), 'max');
  d.update(CID, { cpu: { shares: 1024 } });
  assert.equal(fake.read(CID, 'cpu.weight'), '39');
  d.update(CID, { cpu: { shares: 262144 } });
  assert.equal(fake.read(CID, 'cpu.weight'), '10000');
  // unified keys go last and win over the converted values.
  d.update(CID, { memory: { limit: 32 * MiB }, unified: { 'memory.max': String(48 * MiB), 'memory.high': String(40 * MiB) } });
  assert.equal(fake.read(CID, 'memory.max'), String(48 * MiB));
  assert.equal(fake.read(CID, 'memory.high'), String(40 * MiB));
});

test('v2 refuses what the unified hierarchy cannot do, with crun\'s messages', () => {
  const { d } = setup();
  assert.throws(() => d.update(CID, { memory: { disableOOMKiller: true } }), /cannot disable OOM killer with cgroupv2/);
  assert.throws(() => d.update(CID, { memory: { swappiness: 10 } }), /cannot set memory swappiness with cgroupv2/);
  assert.throws(() => d.update(CID, { memory: { limit: 64 * MiB, swap: 32 * MiB } }), /memory\+swap limit less than the memory limit/);
  assert.throws(() => d.update(CID, { memory: { swap: 64 * MiB } }), /cannot set swap limit without the memory limit/);
  assert.throws(() => d.update(CID, { cpu: { realtimeRuntime: 950000 } }), /realtime .* not supported on cgroupv2/);
  assert.throws(() => d.update(CID, { blockIO: { leafWeight: 100 } }), /leaf_weight/);
  assert.throws(() => d.update(CID, { unified: { '../memory.max': '1' } }), /without any slash/);
  assert.throws(() => d.update('/berth/gone', { pids: { limit: 5 } }), /does not exist/);
});

test('v2 OOM detection reads memory.events oom_kill', () => {
  const { d, fake } = setup();
  assert.equal(d.oomKilled(CID), false);
  fake.write(CID, 'memory.events', 'low 0\nhigh 0\nmax 12\noom 1\noom_kill 0\noom_group_kill 0\n');
  assert.equal(d.oomKilled(CID), false, 'an oom event without a kill is no OOM kill');
  fake.write(CID, 'memory.events', 'low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\noom_group_kill 0\n');
  assert.equal(d.oomKilled(CID), true);
  assert.equal(d.oomKilled('/berth/never-made'), false);
});

test('v2 stats: cpu.stat usec, memory, pids and io.stat in Docker\'s units', () => {
  const { d, fake } = setup();
  fake.write(CID, 'cpu.stat', 'usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 7\nnr_throttled 2\nthrottled_usec 300\n');
  fake.write(CID, 'memory.current', '5242880\n');
  fake.write(CID, 'memory.max', String(64 * MiB));
  fake.write(CID, 'memory.stat', 'anon 4096\nfile 8192\ninactive_file 4096\n');
  fake.write(CID, 'pids.current', '3\n');
  fake.write(CID, 'pids.max', '50\n');
  fake.write(CID, 'io.stat', '8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n253:1 rbytes=0 wbytes=512 rios=0 wios=1 dbytes=0 dios=0\n');
  const s = d.stats(CID);
  assert.deepEqual(s.cpu, { totalNs: 1500000, userNs: 1000000, systemNs: 500000, periods: 7, throttledPeriods: 2, throttledTimeNs: 300000 });
  assert.deepEqual(d.cpuStats(CID), s.cpu, 'the CPU-only read gives the same counters');
  assert.deepEqual(s.memory, { usage: 5 * MiB, limit: 64 * MiB, stats: { anon: 4096, file: 8192, inactive_file: 4096 } });
  assert.deepEqual(s.pids, { current: 3, limit: 50 });
  assert.deepEqual(s.blkio.serviceBytes, [
    { major: 8, minor: 0, op: 'read', value: 4096 }, { major: 8, minor: 0, op: 'write', value: 8192 },
    { major: 253, minor: 1, op: 'read', value: 0 }, { major: 253, minor: 1, op: 'write', value: 512 },
  ]);
  assert.deepEqual(s.blkio.serviced.map((e) => e.value), [1, 2, 0, 1]);
  // No limits set: "max" reads as 0 (none).
  fake.write(CID, 'memory.max', 'max\n');
  fake.write(CID, 'pids.max', 'max\n');
  assert.equal(d.stats(CID).memory.limit, 0);
  assert.equal(d.stats(CID).pids.limit, 0);
});

test('v2 pids come from the cgroup and its sub-cgroups (systemd scope with crun\'s container subgroup)', () => {
  const { d, fake } = setup();
  const scope = '/system.slice/berth-x.scope';
  d.create(`${scope}/container`);
  fake.write(`${scope}/container`, 'cgroup.procs', '4242\n4243\n');
  assert.deepEqual(d.pids(scope), [4242, 4243]);
  assert.deepEqual(d.pids(`${scope}/container`), [4242, 4243]);
  fake.write(CID, 'cgroup.procs', '77\n');
  assert.deepEqual(d.pids(CID), [77]);
});

test('v2 removal: a busy cgroup stays and is reported, an empty one goes with its sub-cgroups', () => {
  const { d, fake } = setup();
  d.create(`${CID}/sub`);
  fake.write(`${CID}/sub`, 'cgroup.procs', '99\n');
  assert.deepEqual(d.remove(CID), [join(fake.root, CID)]);
  assert.ok(existsSync(join(fake.root, CID, 'sub')));
  fake.write(`${CID}/sub`, 'cgroup.procs', '');
  assert.deepEqual(d.remove(CID), []);
  assert.equal(existsSync(join(fake.root, CID)), false);
  assert.deepEqual(d.dirs(CID), []);
  assert.ok(existsSync(join(fake.root, 'berth')), 'the parent stays');
  assert.deepEqual(d.remove(CID), [], 'removing again is a no-op');
});

test('v2 setup reports the controllers the kernel would not hand down', () => {
  const fake = fakeCgroup2({ controllers: ['memory', 'pids'] });
  try {
    const d = new CgroupV2Driver(fake.root, fake.ops);
    assert.deepEqual(d.setupParent('/'), [], 'the root accepts them');
    // A cgroup whose subtree_control refuses writes (EBUSY on a real host with tasks in it): a directory here.
    fake.ops.mkdir(join(fake.root, 'berth'));
    rmSync(join(fake.root, 'berth', 'cgroup.subtree_control'));
    mkdirSync(join(fake.root, 'berth', 'cgroup.subtree_control'));
    assert.deepEqual(d.setupParent('/berth'), [`memory in ${join(fake.root, 'berth')}`, `pids in ${join(fake.root, 'berth')}`]);
  } finally {
    fake.remove();
  }
});
