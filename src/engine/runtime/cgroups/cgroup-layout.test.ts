import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCgroupMounts } from './cgroup-layout.js';
import { cgroupManagerFrom } from './cgroup-manager.js';

const PURE_V2 = `25 30 0:23 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
26 25 0:24 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:8 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
`;
// This build machine: v1 hierarchies with an empty cgroup2 at /sys/fs/cgroup/unified.
const HYBRID = `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
43 31 0:40 / /sys/fs/cgroup/net_cls,net_prio rw,relatime - cgroup cgroup rw,net_cls,net_prio
`;
// Debian's systemd in legacy mode: co-mounted cpu,cpuacct, no cgroup2.
const LEGACY = `27 26 0:25 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime - cgroup cgroup rw,cpu,cpuacct
28 26 0:26 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime - cgroup cgroup rw,memory
`;

test('a cgroup2 mount at /sys/fs/cgroup is a v2 host', () => {
  assert.deepEqual(parseCgroupMounts(PURE_V2), { version: '2', root: '/sys/fs/cgroup', v1: new Map() });
});

test('hybrid: v1 hierarchies by controller, the cgroup2 beside them noted as unified', () => {
  const l = parseCgroupMounts(HYBRID);
  assert.equal(l.version, '1');
  assert.equal(l.unified, '/sys/fs/cgroup/unified');
  assert.equal(l.v1.get('memory'), '/sys/fs/cgroup/memory');
  assert.equal(l.v1.get('net_prio'), '/sys/fs/cgroup/net_cls,net_prio');
  assert.equal(l.v1.get('name=systemd'), '/sys/fs/cgroup/systemd');
  assert.equal(l.v1.has('xattr'), false, 'mount options are not controllers');
});

test('legacy: co-mounted controllers share one mount point', () => {
  const l = parseCgroupMounts(LEGACY);
  assert.equal(l.version, '1');
  assert.equal(l.v1.get('cpu'), '/sys/fs/cgroup/cpu,cpuacct');
  assert.equal(l.v1.get('cpuacct'), '/sys/fs/cgroup/cpu,cpuacct');
  assert.equal(l.unified, undefined);
});

test('a fake root is detected by its own mount point', () => {
  const text = '99 1 0:50 / /tmp/fake rw - cgroup2 cgroup2 rw\n';
  assert.equal(parseCgroupMounts(text, '/tmp/fake').version, '2');
  assert.equal(parseCgroupMounts(text).version, '1');
});

test('cgroup manager: dockerd\'s default (systemd only on v2 booted by systemd), exec-opts override, errors', () => {
  assert.equal(cgroupManagerFrom([], '2', true), 'systemd');
  assert.equal(cgroupManagerFrom([], '2', false), 'cgroupfs');
  assert.equal(cgroupManagerFrom([], '1', true), 'cgroupfs');
  assert.equal(cgroupManagerFrom(['native.cgroupdriver=cgroupfs'], '2', true), 'cgroupfs');
  assert.equal(cgroupManagerFrom(['Native.CgroupDriver=systemd'], '1', true), 'systemd');
  assert.throws(() => cgroupManagerFrom(['native.cgroupdriver=lxc'], '2', true), /native.cgroupdriver option lxc not supported/);
  assert.throws(() => cgroupManagerFrom(['native.cgroupdriver=systemd'], '2', false), /systemd is not running/);
  assert.throws(() => cgroupManagerFrom(['nonsense'], '2', false), /key=value/);
});
