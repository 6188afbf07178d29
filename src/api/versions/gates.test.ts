import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  applyGates,
  behaves,
  BEHAVIOURS,
  CONTAINER_CREATE_GATES,
  CONTAINER_INSPECT_GATES,
  CONTAINER_LIST_GATES,
  CONTAINER_UPDATE_GATES,
  DISK_USAGE_GATES,
  EVENT_GATES,
  EXEC_CREATE_GATES,
  EXEC_START_GATES,
  gateQuery,
  IMAGE_INSPECT_GATES,
  IMAGE_LIST_GATES,
  INFO_GATES,
  NETWORK_CREATE_GATES,
  QUERY_PARAMS_SINCE,
  VOLUME_PRUNE_GATES,
  type Gate,
} from './index.js';
import * as versions from './index.js';
import { imageConfigView } from '../../engine/images/image-views.js';

type Json = Record<string, any>;

/**
 * One row per gate: the same input at the last version before the change (`old`) and at the
 * version that changed it (`now`), and what each must look like.
 */
interface Row {
  table: readonly Gate<any, any>[];
  what: string;
  old: string;
  now: string;
  input: () => Json;
  opts?: () => Json;
  /** The old version refuses the request (400). */
  refusedOld?: boolean;
  expectOld: (out: Json, opts: Json) => void;
  expectNow: (out: Json, opts: Json) => void;
}

const image = () => ({
  Id: 'sha256:abc',
  RepoTags: ['busybox:latest'],
  RepoDigests: [],
  Container: 'c0ffee',
  ContainerConfig: { Hostname: '', Image: '' },
  Config: imageConfigView({ Env: ['PATH=/bin'], Cmd: ['sh'], Hostname: 'x', Image: 'sha256:1', Labels: {} }),
  Size: 42,
  Descriptor: { mediaType: 'x' },
});

const create = (extra: Json = {}) => ({ Image: 'busybox', HostConfig: {}, ...extra });

const rows: Row[] = [
  // GET /images/{name}/json
  {
    table: IMAGE_INSPECT_GATES,
    what: 'VirtualSize is set (to Size); a missing Created is 0001-01-01T00:00:00Z',
    old: '1.43',
    now: '1.44',
    input: image,
    expectOld: (o) => (assert.equal(o.VirtualSize, 42), assert.equal(o.Created, '0001-01-01T00:00:00Z')),
    expectNow: (o) => (assert.ok(!('VirtualSize' in o)), assert.ok(!('Created' in o))),
  },
  {
    table: IMAGE_INSPECT_GATES,
    what: 'Container and ContainerConfig are no longer included',
    old: '1.44',
    now: '1.45',
    input: image,
    expectOld: (o) => (assert.equal(o.Container, 'c0ffee'), assert.ok(o.ContainerConfig)),
    expectNow: (o) => (assert.ok(!('Container' in o)), assert.ok(!('ContainerConfig' in o))),
  },
  {
    table: IMAGE_INSPECT_GATES,
    what: 'no Descriptor',
    old: '1.47',
    now: '1.48',
    input: image,
    expectOld: (o) => assert.ok(!('Descriptor' in o)),
    expectNow: (o) => assert.deepEqual(o.Descriptor, { mediaType: 'x' }),
  },
  {
    table: IMAGE_INSPECT_GATES,
    what: 'Config also carries the container-only keys (Hostname, Tty, Image, ...), always empty',
    old: '1.49',
    now: '1.50',
    input: image,
    expectOld: (o) => {
      assert.equal(o.Config.Hostname, '');
      assert.equal(o.Config.Image, '');
      assert.equal(o.Config.Tty, false);
      assert.deepEqual(o.Config.Cmd, ['sh']);
      assert.deepEqual(Object.keys(o.Config), [...Object.keys(o.Config)].sort());
    },
    expectNow: (o) =>
      assert.deepEqual(o.Config, { Cmd: ['sh'], Entrypoint: null, Env: ['PATH=/bin'], Labels: null, OnBuild: null, User: '', Volumes: null, WorkingDir: '' }),
  },
  // GET /images/json
  {
    table: IMAGE_LIST_GATES,
    what: 'an untagged image lists <none>:<none> and <none>@<none>',
    old: '1.42',
    now: '1.43',
    input: () => ({ RepoTags: [], RepoDigests: [], Size: 1, Containers: 2 }),
    expectOld: (o) => (assert.deepEqual(o.RepoTags, ['<none>:<none>']), assert.deepEqual(o.RepoDigests, ['<none>@<none>'])),
    expectNow: (o) => (assert.deepEqual(o.RepoTags, []), assert.deepEqual(o.RepoDigests, [])),
  },
  {
    table: IMAGE_LIST_GATES,
    what: 'VirtualSize is set (to Size)',
    old: '1.43',
    now: '1.44',
    input: () => ({ RepoTags: ['a:b'], RepoDigests: [], Size: 7 }),
    expectOld: (o) => assert.equal(o.VirtualSize, 7),
    expectNow: (o) => assert.ok(!('VirtualSize' in o)),
  },
  {
    table: IMAGE_LIST_GATES,
    what: 'no Descriptor',
    old: '1.47',
    now: '1.48',
    input: () => ({ RepoTags: ['a:b'], Descriptor: {} }),
    expectOld: (o) => assert.ok(!('Descriptor' in o)),
    expectNow: (o) => assert.ok('Descriptor' in o),
  },
  {
    table: IMAGE_LIST_GATES,
    what: 'Containers is always -1',
    old: '1.50',
    now: '1.51',
    input: () => ({ RepoTags: ['a:b'], Containers: 3 }),
    expectOld: (o) => assert.equal(o.Containers, -1),
    expectNow: (o) => assert.equal(o.Containers, 3),
  },
  // GET /containers/{name}/json
  {
    table: CONTAINER_INSPECT_GATES,
    what: 'Aliases on user-defined networks also hold the short container ID and the hostname',
    old: '1.44',
    now: '1.45',
    input: () => ({
      Id: '0123456789abcdef',
      Config: { Hostname: 'web' },
      NetworkSettings: { Networks: { bridge: { Aliases: null }, mynet: { Aliases: ['db', 'web'] } } },
    }),
    expectOld: (o) => {
      assert.deepEqual(o.NetworkSettings.Networks.mynet.Aliases, ['db', 'web', '0123456789ab']);
      assert.equal(o.NetworkSettings.Networks.bridge.Aliases, null);
    },
    expectNow: (o) => assert.deepEqual(o.NetworkSettings.Networks.mynet.Aliases, ['db', 'web']),
  },
  {
    table: CONTAINER_INSPECT_GATES,
    what: 'no ImageManifestDescriptor',
    old: '1.47',
    now: '1.48',
    input: () => ({ Id: 'x', ImageManifestDescriptor: {} }),
    expectOld: (o) => assert.ok(!('ImageManifestDescriptor' in o)),
    expectNow: (o) => assert.ok('ImageManifestDescriptor' in o),
  },
  // GET /containers/json
  {
    table: CONTAINER_LIST_GATES,
    what: 'no HostConfig.Annotations',
    old: '1.45',
    now: '1.46',
    input: () => ({ HostConfig: { NetworkMode: 'bridge', Annotations: { a: 'b' } } }),
    expectOld: (o) => assert.deepEqual(o.HostConfig, { NetworkMode: 'bridge' }),
    expectNow: (o) => assert.deepEqual(o.HostConfig.Annotations, { a: 'b' }),
  },
  {
    table: CONTAINER_LIST_GATES,
    what: 'no ImageManifestDescriptor',
    old: '1.47',
    now: '1.48',
    input: () => ({ HostConfig: {}, ImageManifestDescriptor: {} }),
    expectOld: (o) => assert.ok(!('ImageManifestDescriptor' in o)),
    expectNow: (o) => assert.ok('ImageManifestDescriptor' in o),
  },
  // POST /containers/create
  {
    table: CONTAINER_CREATE_GATES,
    what: 'HostConfig.AutoRemove is ignored (the client removes the container)',
    old: '1.24',
    now: '1.25',
    input: () => create({ HostConfig: { AutoRemove: true } }),
    expectOld: (o) => assert.equal(o.HostConfig.AutoRemove, false),
    expectNow: (o) => assert.equal(o.HostConfig.AutoRemove, true),
  },
  {
    table: CONTAINER_CREATE_GATES,
    what: 'BindOptions.NonRecursive and KernelMemoryTCP are ignored; IpcMode defaults to "shareable"',
    old: '1.39',
    now: '1.40',
    input: () => create({ HostConfig: { KernelMemoryTCP: 5, Mounts: [{ Type: 'bind', Source: '/', Target: '/x', BindOptions: { NonRecursive: true } }] } }),
    expectOld: (o) => {
      assert.equal(o.HostConfig.Mounts[0].BindOptions.NonRecursive, false);
      assert.ok(!('KernelMemoryTCP' in o.HostConfig));
      assert.equal(o.HostConfig.IpcMode, 'shareable');
    },
    expectNow: (o) => {
      assert.equal(o.HostConfig.Mounts[0].BindOptions.NonRecursive, true);
      assert.equal(o.HostConfig.KernelMemoryTCP, 5);
      assert.equal(o.HostConfig.IpcMode, undefined);
    },
  },
  {
    table: CONTAINER_CREATE_GATES,
    what: 'CgroupnsMode defaults to "host" on cgroup v1 hosts',
    old: '1.40',
    now: '1.41',
    input: () => create(),
    opts: () => ({ cgroupVersion: '1', warnings: [] }),
    expectOld: (o) => assert.equal(o.HostConfig.CgroupnsMode, 'host'),
    expectNow: (o) => assert.equal(o.HostConfig.CgroupnsMode, undefined),
  },
  {
    table: CONTAINER_CREATE_GATES,
    what: 'BindOptions.CreateMountpoint and ConsoleSize are ignored; options of another mount type are dropped',
    old: '1.41',
    now: '1.42',
    input: () => create({ HostConfig: { ConsoleSize: [24, 80], Mounts: [{ Type: 'bind', Source: '/nope', Target: '/x', BindOptions: { CreateMountpoint: true } }] } }),
    expectOld: (o) => (assert.deepEqual(o.HostConfig.ConsoleSize, [0, 0]), assert.equal(o.HostConfig.Mounts[0].BindOptions.CreateMountpoint, false)),
    expectNow: (o) => (assert.deepEqual(o.HostConfig.ConsoleSize, [24, 80]), assert.equal(o.HostConfig.Mounts[0].BindOptions.CreateMountpoint, true)),
  },
  {
    table: CONTAINER_CREATE_GATES,
    what: 'KernelMemory is ignored; options of another mount type are refused',
    old: '1.41',
    now: '1.42',
    input: () => create({ HostConfig: { KernelMemory: 1 << 20 } }),
    expectOld: (o) => assert.equal(o.HostConfig.KernelMemory, 1 << 20),
    expectNow: (o) => assert.ok(!('KernelMemory' in o.HostConfig)),
  },
  {
    table: CONTAINER_CREATE_GATES,
    what: 'HostConfig.Annotations are ignored',
    old: '1.42',
    now: '1.43',
    input: () => create({ HostConfig: { Annotations: { a: 'b' } } }),
    expectOld: (o) => assert.ok(!('Annotations' in o.HostConfig)),
    expectNow: (o) => assert.deepEqual(o.HostConfig.Annotations, { a: 'b' }),
  },
  {
    table: CONTAINER_CREATE_GATES,
    what: 'Healthcheck.StartInterval is ignored; ReadOnlyForceRecursive and several networks are refused',
    old: '1.43',
    now: '1.44',
    input: () => create({ Healthcheck: { Test: ['CMD', 'true'], StartInterval: 1e9 } }),
    expectOld: (o) => assert.ok(!('StartInterval' in o.Healthcheck)),
    expectNow: (o) => assert.equal(o.Healthcheck.StartInterval, 1e9),
  },
  {
    table: CONTAINER_CREATE_GATES,
    what: 'VolumeOptions.Subpath is refused',
    old: '1.44',
    now: '1.45',
    input: () => create({ HostConfig: { Mounts: [{ Type: 'volume', Source: 'v', Target: '/x', VolumeOptions: { Subpath: 'a' } }] } }),
    refusedOld: true,
    expectOld: () => undefined,
    expectNow: (o) => assert.equal(o.HostConfig.Mounts[0].VolumeOptions.Subpath, 'a'),
  },
  {
    table: CONTAINER_CREATE_GATES,
    what: 'EndpointsConfig GwPriority is ignored; mounts of type "image" are refused',
    old: '1.47',
    now: '1.48',
    input: () => create({ NetworkingConfig: { EndpointsConfig: { n: { GwPriority: 5 } } } }),
    expectOld: (o) => assert.equal(o.NetworkingConfig.EndpointsConfig.n.GwPriority, 0),
    expectNow: (o) => assert.equal(o.NetworkingConfig.EndpointsConfig.n.GwPriority, 5),
  },
  {
    table: CONTAINER_CREATE_GATES,
    what: 'a warning when the container-wide VolumeDriver meets volumes given as Mounts',
    old: '1.47',
    now: '1.48',
    input: () => create({ HostConfig: { VolumeDriver: 'local', Mounts: [{ Type: 'volume', Source: 'v', Target: '/x' }] } }),
    expectOld: (_o, opts) => assert.deepEqual(opts.warnings, []),
    expectNow: (_o, opts) => assert.match(opts.warnings[0], /container-wide volume-driver configuration is ignored/),
  },
  {
    table: CONTAINER_CREATE_GATES,
    what: "the container-wide Config.MacAddress is the main endpoint's; an endpoint MacAddress alone is ignored",
    old: '1.43',
    now: '1.44',
    input: () => create({ HostConfig: { NetworkMode: 'mynet' }, NetworkingConfig: { EndpointsConfig: { mynet: { MacAddress: '02:42:ac:11:00:09' } } } }),
    expectOld: (o) => assert.equal(o.NetworkingConfig.EndpointsConfig.mynet.MacAddress, ''),
    expectNow: (o) => assert.equal(o.NetworkingConfig.EndpointsConfig.mynet.MacAddress, '02:42:ac:11:00:09'),
  },
  {
    table: CONTAINER_CREATE_GATES,
    what: 'Config.MacAddress is deprecated: moved to the main endpoint, with a warning',
    old: '1.43',
    now: '1.44',
    input: () => create({ MacAddress: '02:42:ac:11:00:09' }),
    expectOld: (o, opts) => {
      assert.equal(o.MacAddress, '02:42:ac:11:00:09');
      assert.equal(o.NetworkingConfig.EndpointsConfig.bridge.MacAddress, '02:42:ac:11:00:09');
      assert.deepEqual(opts.warnings, []);
    },
    expectNow: (o, opts) => {
      assert.ok(!('MacAddress' in o));
      assert.equal(o.NetworkingConfig.EndpointsConfig.bridge.MacAddress, '02:42:ac:11:00:09');
      assert.match(opts.warnings[0], /container-wide MacAddress field is now deprecated/);
    },
  },
  // POST /containers/{name}/update, exec
  {
    table: CONTAINER_UPDATE_GATES,
    what: 'PidsLimit is ignored',
    old: '1.39',
    now: '1.40',
    input: () => ({ PidsLimit: 10 }),
    expectOld: (o) => assert.ok(!('PidsLimit' in o)),
    expectNow: (o) => assert.equal(o.PidsLimit, 10),
  },
  {
    table: CONTAINER_UPDATE_GATES,
    what: 'KernelMemory is ignored',
    old: '1.41',
    now: '1.42',
    input: () => ({ KernelMemory: 10 }),
    expectOld: (o) => assert.equal(o.KernelMemory, 10),
    expectNow: (o) => assert.ok(!('KernelMemory' in o)),
  },
  {
    table: EXEC_CREATE_GATES,
    what: 'ConsoleSize is ignored',
    old: '1.41',
    now: '1.42',
    input: () => ({ Cmd: ['sh'], ConsoleSize: [24, 80] }),
    expectOld: (o) => assert.equal(o.ConsoleSize, null),
    expectNow: (o) => assert.deepEqual(o.ConsoleSize, [24, 80]),
  },
  {
    table: EXEC_START_GATES,
    what: 'ConsoleSize is ignored',
    old: '1.41',
    now: '1.42',
    input: () => ({ Tty: true, ConsoleSize: [24, 80] }),
    expectOld: (o) => assert.equal(o.ConsoleSize, null),
    expectNow: (o) => assert.deepEqual(o.ConsoleSize, [24, 80]),
  },
  // networks, volumes
  {
    table: NETWORK_CREATE_GATES,
    what: 'EnableIPv4 is ignored',
    old: '1.47',
    now: '1.48',
    input: () => ({ Name: 'n', EnableIPv4: false }),
    expectOld: (o) => assert.ok(!('EnableIPv4' in o)),
    expectNow: (o) => assert.equal(o.EnableIPv4, false),
  },
  {
    table: VOLUME_PRUNE_GATES,
    what: 'prune takes named volumes too (the filter all=true is added)',
    old: '1.41',
    now: '1.42',
    input: () => ({ label: ['a'] }),
    expectOld: (o) => assert.deepEqual(o, { label: ['a'], all: ['true'] }),
    expectNow: (o) => assert.deepEqual(o, { label: ['a'] }),
  },
  // GET /info
  {
    table: INFO_GATES,
    what: 'SecurityOptions are names only ("seccomp", not "name=seccomp,profile=builtin")',
    old: '1.24',
    now: '1.25',
    input: () => ({ SecurityOptions: ['name=seccomp,profile=builtin', 'name=cgroupns'] }),
    expectOld: (o) => assert.deepEqual(o.SecurityOptions, ['seccomp', 'cgroupns']),
    expectNow: (o) => assert.deepEqual(o.SecurityOptions, ['name=seccomp,profile=builtin', 'name=cgroupns']),
  },
  {
    table: INFO_GATES,
    what: 'an empty KernelVersion or OperatingSystem reads "<unknown>"',
    old: '1.38',
    now: '1.39',
    input: () => ({ KernelVersion: '', OperatingSystem: '' }),
    expectOld: (o) => (assert.equal(o.KernelVersion, '<unknown>'), assert.equal(o.OperatingSystem, '<unknown>')),
    expectNow: (o) => (assert.equal(o.KernelVersion, ''), assert.equal(o.OperatingSystem, '')),
  },
  {
    table: INFO_GATES,
    what: 'Runtimes have no status',
    old: '1.43',
    now: '1.44',
    input: () => ({ Runtimes: { crun: { path: '/usr/bin/crun', status: { a: 'b' } } } }),
    expectOld: (o) => assert.deepEqual(o.Runtimes.crun, { path: '/usr/bin/crun' }),
    expectNow: (o) => assert.deepEqual(o.Runtimes.crun.status, { a: 'b' }),
  },
  {
    table: INFO_GATES,
    what: 'no Containerd',
    old: '1.45',
    now: '1.46',
    input: () => ({ Containerd: { Address: '/run/containerd.sock' } }),
    expectOld: (o) => assert.ok(!('Containerd' in o)),
    expectNow: (o) => assert.ok('Containerd' in o),
  },
  {
    table: INFO_GATES,
    what: 'RegistryConfig has AllowNondistributableArtifactsCIDRs and ...Hostnames (null)',
    old: '1.46',
    now: '1.47',
    input: () => ({ RegistryConfig: { Mirrors: [] } }),
    expectOld: (o) => assert.deepEqual(o.RegistryConfig, { AllowNondistributableArtifactsCIDRs: null, AllowNondistributableArtifactsHostnames: null, Mirrors: [] }),
    expectNow: (o) => assert.deepEqual(o.RegistryConfig, { Mirrors: [] }),
  },
  {
    table: INFO_GATES,
    what: 'no FirewallBackend; ContainerdCommit, RuncCommit and InitCommit have Expected (= ID)',
    old: '1.48',
    now: '1.49',
    input: () => ({ FirewallBackend: { Driver: 'nftables' }, ContainerdCommit: { ID: '' }, RuncCommit: { ID: 'v1.1' }, InitCommit: { ID: '' } }),
    expectOld: (o) => (assert.ok(!('FirewallBackend' in o)), assert.deepEqual(o.RuncCommit, { ID: 'v1.1', Expected: 'v1.1' }), assert.deepEqual(o.InitCommit, { ID: '' })),
    expectNow: (o) => (assert.deepEqual(o.FirewallBackend, { Driver: 'nftables' }), assert.deepEqual(o.RuncCommit, { ID: 'v1.1' })),
  },
  {
    table: INFO_GATES,
    what: 'no DiscoveredDevices; BridgeNfIptables and BridgeNfIp6tables are there, always false',
    old: '1.49',
    now: '1.50',
    input: () => ({ DiscoveredDevices: [] }),
    expectOld: (o) => assert.deepEqual(o, { BridgeNfIptables: false, BridgeNfIp6tables: false }),
    expectNow: (o) => assert.deepEqual(o, { DiscoveredDevices: [] }),
  },
  // GET /system/df
  {
    table: DISK_USAGE_GATES,
    what: 'BuilderSize (the build cache total) is set; build-cache records have Parent, not Parents',
    old: '1.41',
    now: '1.42',
    input: () => ({ BuildCache: [{ ID: 'a', Size: 5, Parent: 'p', Parents: ['p'] }] }),
    expectOld: (o) => (assert.equal(o.BuilderSize, 5), assert.deepEqual(o.BuildCache[0], { ID: 'a', Size: 5, Parent: 'p' })),
    expectNow: (o) => (assert.ok(!('BuilderSize' in o)), assert.deepEqual(o.BuildCache[0], { ID: 'a', Size: 5, Parents: ['p'] })),
  },
  {
    table: DISK_USAGE_GATES,
    what: 'build-cache records have no Parent',
    old: '1.41',
    now: '1.42',
    input: () => ({ BuildCache: [{ ID: 'a', Parent: 'p' }] }),
    expectOld: (o) => assert.equal(o.BuildCache[0].Parent, 'p'),
    expectNow: (o) => assert.ok(!('Parent' in o.BuildCache[0])),
  },
  {
    table: DISK_USAGE_GATES,
    what: 'Images have VirtualSize (= Size)',
    old: '1.43',
    now: '1.44',
    input: () => ({ Images: [{ Id: 'x', Size: 9 }] }),
    expectOld: (o) => assert.equal(o.Images[0].VirtualSize, 9),
    expectNow: (o) => assert.ok(!('VirtualSize' in o.Images[0])),
  },
  // GET /events
  {
    table: EVENT_GATES,
    what: 'image "create" events are not sent',
    old: '1.45',
    now: '1.46',
    input: () => ({ event: { Type: 'image', Action: 'create' }, skip: false }),
    expectOld: (o) => assert.equal(o.skip, true),
    expectNow: (o) => assert.equal(o.skip, false),
  },
];

for (const r of rows) {
  test(`gate ${r.old} → ${r.now}: ${r.what}`, () => {
    assert.ok(
      r.table.some((g) => g.what === r.what),
      'the row names a gate of its table',
    );
    const optsOld = r.opts?.() ?? { warnings: [] };
    if (r.refusedOld) assert.throws(() => applyGates(r.table, r.old, r.input(), optsOld));
    else r.expectOld(applyGates(r.table, r.old, r.input(), optsOld), optsOld);
    const optsNow = r.opts?.() ?? { warnings: [] };
    r.expectNow(applyGates(r.table, r.now, r.input(), optsNow), optsNow);
  });
}

test('every gate of every table has a row', () => {
  // Every *_GATES table the module exports, so a new table needs rows without being listed here.
  const tables = Object.entries(versions)
    .filter(([name]) => name.endsWith('_GATES'))
    .map(([, table]) => table as Gate<unknown>[]);
  assert.ok(tables.length >= 13);
  for (const t of tables) {
    for (const g of t) assert.ok(rows.some((r) => r.table === t && r.what === g.what), `no row for: ${g.what}`);
  }
});

test('create: requests refused below a version, with dockerd\'s messages', () => {
  const refuse = (version: string, body: Json, message: string) =>
    assert.throws(() => applyGates(CONTAINER_CREATE_GATES, version, body, { warnings: [] }), { message });
  refuse('1.43', create({ NetworkingConfig: { EndpointsConfig: { a: {}, b: {} } } }), 'Container cannot be created with multiple network endpoints: a, b');
  refuse(
    '1.43',
    create({ HostConfig: { Mounts: [{ Type: 'bind', Source: '/', Target: '/x', BindOptions: { ReadOnlyForceRecursive: true } }] } }),
    'BindOptions.ReadOnlyForceRecursive needs API v1.44 or newer',
  );
  refuse('1.47', create({ HostConfig: { Mounts: [{ Type: 'image', Source: 'busybox', Target: '/x' }] } }), 'Mount type "Image" needs API v1.48 or newer');
  refuse('1.42', create({ HostConfig: { Mounts: [{ Type: 'tmpfs', Target: '/x', BindOptions: {} }] } }), 'BindOptions must not be specified on mount type "tmpfs"');
  refuse('1.43', create({ MacAddress: '02:42:ac:11:00:09', HostConfig: { NetworkMode: 'host' } }), 'conflicting options: mac-address and the network mode');
  refuse(
    '1.44',
    create({ MacAddress: '02:42:ac:11:00:09', NetworkingConfig: { EndpointsConfig: { bridge: { MacAddress: '02:42:ac:11:00:0a' } } } }),
    'the container-wide MAC address must match the endpoint-specific MAC address for the main network, or be left empty',
  );
  // Below 1.42 the mismatched options were dropped, not refused.
  const old: Json = applyGates(CONTAINER_CREATE_GATES, '1.41', create({ HostConfig: { Mounts: [{ Type: 'tmpfs', Target: '/x', VolumeOptions: {} }] } }), { warnings: [] });
  assert.ok(!('VolumeOptions' in old.HostConfig.Mounts[0]));
  // On a cgroup v2 host old clients keep the host's default (private).
  const v2: Json = applyGates(CONTAINER_CREATE_GATES, '1.40', create(), { cgroupVersion: '2', warnings: [] });
  assert.equal(v2.HostConfig.CgroupnsMode, undefined);
});

test('query parameters are ignored before the version that brought them', () => {
  for (const [route, params] of Object.entries(QUERY_PARAMS_SINCE)) {
    for (const [param, since] of Object.entries(params as Record<string, string>)) {
      const [maj, min] = since.split('.').map(Number) as [number, number];
      const before = `${maj}.${min - 1}`;
      const q = (v: string) => gateQuery(new URLSearchParams({ [param]: 'x', keep: 'y' }), v, route as keyof typeof QUERY_PARAMS_SINCE);
      assert.equal(q(before).get(param), null, `${route} ${param} at ${before}`);
      assert.equal(q(since).get(param), 'x', `${route} ${param} at ${since}`);
      assert.equal(q(before).get('keep'), 'y');
    }
  }
});

test('image list: the old `filter` parameter is a reference filter below 1.41', () => {
  const q = gateQuery(new URLSearchParams({ filter: 'busy*', filters: '{"dangling":["false"]}' }), '1.40', 'image.list');
  assert.deepEqual(JSON.parse(q.get('filters')!), { dangling: ['false'], reference: { 'busy*': true } });
  const now = gateQuery(new URLSearchParams({ filter: 'busy*' }), '1.41', 'image.list');
  assert.equal(now.get('filters'), null);
});

test('attach/ws: below 1.42 all three streams are attached whatever the query says', () => {
  const q = gateQuery(new URLSearchParams({ stdout: '1' }), '1.41', 'container.attach-ws');
  assert.deepEqual([q.get('stdin'), q.get('stdout'), q.get('stderr')], ['1', '1', '1']);
  const now = gateQuery(new URLSearchParams({ stdout: '1' }), '1.42', 'container.attach-ws');
  assert.deepEqual([now.get('stdin'), now.get('stdout'), now.get('stderr')], [null, '1', null]);
});

test('behaviours switch at their version', () => {
  for (const [name, b] of Object.entries(BEHAVIOURS)) {
    const [maj, min] = b.from.split('.').map(Number) as [number, number];
    assert.equal(behaves(`${maj}.${min - 1}`, name as keyof typeof BEHAVIOURS), false, name);
    assert.equal(behaves(b.from, name as keyof typeof BEHAVIOURS), true, name);
  }
});

test('image Config: only image-spec keys, empty ones omitted, the always-there ones filled, sorted', () => {
  assert.deepEqual(
    imageConfigView({ Hostname: 'h', Image: 'sha256:1', Env: [], ExposedPorts: {}, Volumes: { '/data': {} }, StopSignal: 'SIGTERM', Healthcheck: {} }),
    { Cmd: null, Entrypoint: null, Env: null, Healthcheck: {}, Labels: null, OnBuild: null, StopSignal: 'SIGTERM', User: '', Volumes: { '/data': {} }, WorkingDir: '' },
  );
});
