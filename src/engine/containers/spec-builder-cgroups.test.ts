import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Ajv } from 'ajv';
import { containerCgroupPath, runtimeManagerArgs } from '../runtime/cgroups/cgroup-manager.js';
import { CgroupV2Driver } from '../runtime/cgroups/cgroup-v2.js';
import { fakeCgroup2 } from '../runtime/cgroups/testing/fake-cgroup2.js';
import type { HostInfo } from '../runtime/host-setup.js';
import { buildSpec, type SpecContainer } from './spec-builder.js';

// The spec berth hands crun on a cgroup v2 host, checked without one: its linux.resources are what
// crun converts (crun(1) "CGROUP v2"), so they are applied to a fake cgroup2 tree with berth's own
// v2 writer, which follows the same table.

const MiB = 1024 * 1024;
const rootfs = mkdtempSync(join(os.tmpdir(), 'berth-specv2-'));
mkdirSync(join(rootfs, 'etc'));
writeFileSync(join(rootfs, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
writeFileSync(join(rootfs, 'etc', 'group'), 'root:x:0:\n');
after(() => rmSync(rootfs, { recursive: true, force: true }));

const base: HostInfo = {
  cgroupVersion: '2', cgroupDriver: 'cgroupfs', kernel: '6.1.0', nofileHard: 1048576, nprocHard: 1048576, oomScoreAdj: 0,
  canLowerOomScore: true, memoryLimit: true, swapLimit: true, cpuCfsQuota: true, cpuShares: true, cpuset: true, pidsLimit: true,
  oomKillDisable: false, kernelMemory: false, cpuRealtime: false, blkioWeight: true,
};
const v1Host: HostInfo = { ...base, cgroupVersion: '1', oomKillDisable: true, cpuRealtime: true };

const ctx = { rootfs, hostnamePath: '/dev/null', hostsPath: '/dev/null', resolvConfPath: '/dev/null' };
const ID = 'f00dfeed';
const limited = (hc: Record<string, unknown>): SpecContainer => ({ Id: ID, Config: { Cmd: ['true'] }, HostConfig: { NetworkMode: 'none', ...hc } });

function validator(): (spec: unknown) => string[] {
  const dir = join(import.meta.dirname, 'schema');
  const ajv = new Ajv({ strict: false, allErrors: true });
  for (const f of readdirSync(dir)) {
    const s = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    delete s.$schema;
    ajv.addSchema(s, f);
  }
  const v = ajv.getSchema('config-schema.json')!;
  return (spec) => (v(spec) ? [] : (v.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));
}

const HC = {
  Memory: 64 * MiB, MemoryReservation: 16 * MiB, MemorySwappiness: 10, OomKillDisable: true, CpuShares: 512,
  NanoCpus: 5e8, CpusetCpus: '0', CpusetMems: '0', PidsLimit: 50, BlkioWeight: 300,
};

test('v2 spec: limits crun can convert, none it refuses on v2; a private cgroupns; schema-valid', () => {
  const spec = buildSpec(limited(HC), ctx, base);
  const r = spec.linux!.resources!;
  // swappiness and disableOOMKiller make crun fail on v2 ("cannot … with cgroupv2"): dockerd drops them.
  assert.deepEqual(r.memory, { limit: 64 * MiB, swap: 128 * MiB, reservation: 16 * MiB });
  assert.deepEqual(r.cpu, { period: 100000, quota: 50000, shares: 512, cpus: '0', mems: '0' });
  assert.deepEqual(r.pids, { limit: 50 });
  assert.deepEqual(r.blockIO, { weight: 300 });
  assert.equal(r.unified, undefined, 'berth leaves the v1→v2 conversion to crun');
  assert.equal(spec.linux!.cgroupsPath, `/berth/${ID}`);
  assert.ok(spec.linux!.namespaces!.some((n) => n.type === 'cgroup'), 'cgroupns private by default on v2, as dockerd');
  assert.deepEqual(validator()(spec), []);
});

test('v2 spec resources, applied as crun converts them, give Docker\'s v2 cgroup files', () => {
  const fake = fakeCgroup2();
  try {
    const d = new CgroupV2Driver(fake.root, fake.ops);
    const spec = buildSpec(limited(HC), ctx, base);
    d.setupParent('/berth');
    const path = containerCgroupPath('cgroupfs', '2', ID);
    d.create(path);
    const { devices: _devices, ...resources } = spec.linux!.resources!;
    d.update(path, resources);
    // What `docker run -m 64m --cpu-shares 512 --cpus .5 --pids-limit 50` leaves on a v2 host.
    assert.equal(fake.read(path, 'memory.max'), String(64 * MiB));
    assert.equal(fake.read(path, 'memory.swap.max'), String(64 * MiB));
    assert.equal(fake.read(path, 'memory.low'), String(16 * MiB));
    assert.equal(fake.read(path, 'cpu.weight'), '20');
    assert.equal(fake.read(path, 'cpu.max'), '50000 100000');
    assert.equal(fake.read(path, 'cpuset.cpus'), '0');
    assert.equal(fake.read(path, 'pids.max'), '50');
    assert.equal(fake.read(path, 'io.weight'), '2930'); // 1 + (300-10)*9999/990
  } finally {
    fake.remove();
  }
});

test('v2 spec: unlimited swap and no swap accounting', () => {
  const unlimited = buildSpec(limited({ Memory: 64 * MiB, MemorySwap: -1 }), ctx, base);
  assert.deepEqual(unlimited.linux!.resources!.memory, { limit: 64 * MiB, swap: -1 });
  const noSwap = buildSpec(limited({ Memory: 64 * MiB }), ctx, { ...base, swapLimit: false });
  assert.deepEqual(noSwap.linux!.resources!.memory, { limit: 64 * MiB });
});

test('real-time CPU options are refused on v2 with dockerd\'s message', () => {
  assert.throws(() => buildSpec(limited({ CpuRealtimeRuntime: 950000 }), ctx, base), /Your kernel does not support CPU real-time scheduler/);
  const v1 = buildSpec(limited({ CpuRealtimePeriod: 1000000, CpuRealtimeRuntime: 950000 }), ctx, v1Host);
  assert.deepEqual(v1.linux!.resources!.cpu, { realtimePeriod: 1000000, realtimeRuntime: 950000 });
});

test('a blkio weight the host cannot apply is dropped, as dockerd discards it', () => {
  const spec = buildSpec(limited({ BlkioWeight: 300 }), ctx, { ...v1Host, blkioWeight: false });
  assert.equal(spec.linux!.resources!.blockIO, undefined);
});

test('v1 spec keeps swappiness and the OOM-killer switch, and a host cgroupns', () => {
  const spec = buildSpec(limited(HC), ctx, v1Host);
  assert.equal(spec.linux!.resources!.memory!.swappiness, 10);
  assert.equal(spec.linux!.resources!.memory!.disableOOMKiller, true);
  assert.equal(spec.linux!.namespaces!.some((n) => n.type === 'cgroup'), false);
  assert.equal(spec.linux!.cgroupsPath, `/berth/${ID}`);
});

test('systemd driver: cgroupsPath is slice:prefix:name, the runtime is told, and crun\'s container subgroup is where stats are read', () => {
  const spec = buildSpec(limited({ Memory: 64 * MiB }), ctx, { ...base, cgroupDriver: 'systemd' });
  assert.equal(spec.linux!.cgroupsPath, `system.slice:berth:${ID}`);
  assert.deepEqual(validator()(spec), []);
  assert.deepEqual(runtimeManagerArgs('/usr/bin/crun', 'systemd'), ['--cgroup-manager=systemd']);
  assert.deepEqual(runtimeManagerArgs('/usr/bin/crun', 'cgroupfs'), ['--cgroup-manager=cgroupfs']);
  assert.deepEqual(runtimeManagerArgs('/usr/sbin/runc', 'systemd'), ['--systemd-cgroup']);
  assert.deepEqual(runtimeManagerArgs('/usr/sbin/runc', 'cgroupfs'), []);
  assert.equal(containerCgroupPath('systemd', '2', ID), `/system.slice/berth-${ID}.scope/container`);
  assert.equal(containerCgroupPath('systemd', '1', ID), `/system.slice/berth-${ID}.scope`);
  assert.equal(containerCgroupPath('cgroupfs', '2', ID), `/berth/${ID}`);
});
