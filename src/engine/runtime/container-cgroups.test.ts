import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CgroupV2Driver } from './cgroups/cgroup-v2.js';
import { fakeCgroup2 } from './cgroups/testing/fake-cgroup2.js';
import { ContainerCgroups } from './container-cgroups.js';

const ID = 'c0ffee';

test('systemd on v2: the spec names a scope, limits/stats/OOM use crun\'s container sub-cgroup, removal takes the scope', () => {
  const fake = fakeCgroup2();
  try {
    const d = new CgroupV2Driver(fake.root, fake.ops);
    const cg = new ContainerCgroups(d, 'systemd');
    assert.equal(cg.specPath(ID), `system.slice:berth:${ID}`);
    // What systemd + crun leave: the scope unit's cgroup and the process's sub-cgroup in it.
    const scope = `/system.slice/berth-${ID}.scope`;
    d.create(`${scope}/container`);
    fake.write(`${scope}/container`, 'cgroup.procs', '321\n');
    assert.equal(cg.path(ID), `${scope}/container`);
    cg.update(ID, { memory: { limit: 64 << 20 }, pids: { limit: 20 } });
    assert.equal(fake.read(`${scope}/container`, 'memory.max'), String(64 << 20));
    assert.equal(fake.read(`${scope}/container`, 'pids.max'), '20');
    assert.equal(cg.stats(ID).memory.limit, 64 << 20);
    assert.deepEqual(cg.pids(ID), [321]);
    fake.write(`${scope}/container`, 'memory.events', 'oom 1\noom_kill 1\n');
    assert.equal(cg.oomKilled(ID), true);
    assert.deepEqual(cg.dirs(ID), [join(fake.root, scope)]);
    assert.deepEqual(cg.remove(ID), [join(fake.root, scope)], 'busy while a task is in it');
    fake.write(`${scope}/container`, 'cgroup.procs', '');
    assert.deepEqual(cg.remove(ID), []);
    assert.equal(existsSync(join(fake.root, scope)), false);
  } finally {
    fake.remove();
  }
});

test('systemd on v2 without crun\'s sub-cgroup (runc): the scope itself is the container\'s cgroup', () => {
  const fake = fakeCgroup2();
  try {
    const d = new CgroupV2Driver(fake.root, fake.ops);
    const cg = new ContainerCgroups(d, 'systemd');
    const scope = `/system.slice/berth-${ID}.scope`;
    d.create(scope);
    assert.equal(cg.path(ID), scope);
    cg.update(ID, { cpu: { shares: 2048 } });
    assert.equal(fake.read(scope, 'cpu.weight'), '79');
  } finally {
    fake.remove();
  }
});

test('cgroupfs on v2: /berth/<id> for the spec and the files', () => {
  const fake = fakeCgroup2();
  try {
    const d = new CgroupV2Driver(fake.root, fake.ops);
    const cg = new ContainerCgroups(d, 'cgroupfs');
    d.setupParent('/berth');
    d.create(`/berth/${ID}`);
    assert.equal(cg.specPath(ID), `/berth/${ID}`);
    assert.equal(cg.path(ID), `/berth/${ID}`);
    cg.update(ID, { cpu: { quota: 25000, period: 50000 } });
    assert.equal(fake.read(`/berth/${ID}`, 'cpu.max'), '25000 50000');
    assert.deepEqual(cg.remove(ID), []);
  } finally {
    fake.remove();
  }
});
