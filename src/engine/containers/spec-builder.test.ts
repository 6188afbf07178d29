import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { Ajv } from 'ajv';
import { silentLogger } from '../../common/logger.js';
import { ContainerRuntime } from '../runtime/conmon-runtime.js';
import { prepareHost } from '../runtime/host-setup.js';
import { makeTestHost, testId, type TestHost } from '../runtime/testing/busybox-bundle.js';
import { buildSpec, type SpecContainer } from './spec-builder.js';
import { resolveCapabilities } from './spec/capabilities.js';
import { resolveUser } from './spec/user.js';
import type { OciSpec } from '../runtime/oci-spec.js';
import { cgroupV2, memoryLimitOf, pidsLimitOf, readContainerCgroup } from '../../../test/helpers/cgroups.js';

let host: TestHost;
let rt: ContainerRuntime;
const made: string[] = [];
const schemaDir = join(import.meta.dirname, 'schema');

function validator(): (spec: unknown) => string[] {
  const ajv = new Ajv({ strict: false, allErrors: true });
  for (const f of readdirSync(schemaDir)) {
    const s = JSON.parse(readFileSync(join(schemaDir, f), 'utf8'));
    delete s.$schema; // draft-04 documents; their keywords validate the same under ajv's default draft
    ajv.addSchema(s, f);
  }
  const v = ajv.getSchema('config-schema.json')!;
  return (spec) => (v(spec) ? [] : (v.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));
}

before(async () => {
  await prepareHost(silentLogger);
  host = makeTestHost();
  rt = new ContainerRuntime({ paths: host.paths, runtimes: { crun: { path: '/usr/bin/crun' } }, defaultRuntime: 'crun', logger: silentLogger });
});
after(async () => {
  for (const id of made) await rt.cleanup(id);
  host.remove();
});

function container(config: Record<string, any>, hostConfig: Record<string, any> = {}): SpecContainer {
  const id = testId('s');
  made.push(id);
  return { Id: id, Config: { Hostname: 'spectest', ...config }, HostConfig: { NetworkMode: 'none', ...hostConfig } };
}

function specFor(c: SpecContainer): OciSpec {
  const dir = host.paths.containerDir(c.Id);
  const bundle = host.bundle(c.Id);
  void bundle;
  const files = { hostnamePath: join(dir, 'hostname'), hostsPath: join(dir, 'hosts'), resolvConfPath: join(dir, 'resolv.conf') };
  writeFileSync(files.hostnamePath, `${c.Config.Hostname}\n`);
  writeFileSync(files.hostsPath, '127.0.0.1 localhost\n');
  writeFileSync(files.resolvConfPath, 'nameserver 127.0.0.1\n');
  return buildSpec(c, { rootfs: host.rootfs, ...files });
}

function collect(s: Readable): Promise<string> {
  const parts: Buffer[] = [];
  s.on('data', (b: Buffer) => parts.push(b));
  return new Promise((r) => s.on('end', () => r(Buffer.concat(parts).toString())));
}

/** Runs a container from a built spec; resolves its output and exit code. */
async function run(c: SpecContainer): Promise<{ out: string; err: string; code: number; spec: OciSpec }> {
  const spec = specFor(c);
  await rt.create({ id: c.Id, name: c.Id, bundleDir: host.bundle(c.Id), spec, logPath: join(host.paths.containerDir(c.Id), 'log'), tty: false, openStdin: false, stdinOnce: false });
  const a = await rt.attach(c.Id);
  const out = collect(a.stdout);
  const err = collect(a.stderr);
  await rt.start(c.Id);
  const st = await rt.waitExit(c.Id);
  const r = { out: await out, err: await err, code: st.exitCode, spec };
  await rt.delete(c.Id);
  return r;
}

test('generated specs validate against the OCI runtime-spec v1.1 schema', () => {
  const validate = validator();
  for (const hc of [{}, { Privileged: true }, { Memory: 64 << 20, NanoCpus: 5e8, PidsLimit: 50, CapAdd: ['NET_ADMIN'], CapDrop: ['chown'], Init: true, ReadonlyRootfs: true, Sysctls: { 'net.ipv4.ip_forward': '1' }, Tmpfs: { '/run': 'size=1m' } }]) {
    const spec = specFor(container({ Cmd: ['true'], Tty: true }, { ...hc, ConsoleSize: [30, 120] }));
    assert.deepEqual(validate(spec), []);
  }
});

test('isolation: pid 1, hostname, default caps, seccomp filter mode, masked paths', async () => {
  const r = await run(
    container({ Cmd: ['sh', '-c', 'echo pid=$$; hostname; grep -E "^(CapEff|Seccomp):" /proc/self/status; cat /proc/kcore | wc -c; ulimit -n; cat /etc/hostname'] }),
  );
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^pid=1\n/);
  assert.match(r.out, /\nspectest\n/);
  assert.match(r.out, /CapEff:\s+00000000a80425fb\n/); // Docker's 14 default capabilities
  assert.match(r.out, /Seccomp:\s+2\n/);
  assert.match(r.out, /\n0\n/); // /proc/kcore masked
  assert.match(r.out, /\n20000\n|\n1048576\n/);
});

test('privileged: all capabilities, no seccomp', async () => {
  const r = await run(container({ Cmd: ['sh', '-c', 'grep -E "^(CapEff|Seccomp):" /proc/self/status'] }, { Privileged: true }));
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /Seccomp:\s+0/);
  assert.doesNotMatch(r.out, /CapEff:\s+00000000a80425fb/);
});

test('user, workdir, env, cap-drop and init are applied', async () => {
  const r = await run(container({ Cmd: ['sh', '-c', 'id; pwd; echo $HOME $FOO; grep CapEff /proc/self/status; cat /proc/1/cmdline | tr "\\0" " "'], User: 'app', WorkingDir: '/tmp', Env: ['FOO=bar'] }, { CapDrop: ['ALL'], Init: true }));
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /uid=1000\(app\) gid=1000\(app\) groups=/);
  for (const g of ['29(audio)', '44(video)', '1000(app)']) assert.ok(r.out.split('\n')[0]!.includes(g), g);
  assert.match(r.out, /\n\/tmp\n/);
  assert.match(r.out, /\/home\/app bar\n/);
  assert.match(r.out, /CapEff:\s+0000000000000000/);
  assert.match(r.out, /\/sbin\/docker-init -- sh/);
});

test('cgroup limit files are written from HostConfig', async () => {
  const c = container({ Cmd: ['sh', '-c', 'sleep 5'] }, { Memory: 64 * 1024 * 1024, NanoCpus: 5e8, PidsLimit: 50, CpuShares: 512 });
  const spec = specFor(c);
  await rt.create({ id: c.Id, name: c.Id, bundleDir: host.bundle(c.Id), spec, logPath: join(host.paths.containerDir(c.Id), 'log'), tty: false, openStdin: false, stdinOnce: false });
  // Both layouts: crun converts shares 512 to cpu.weight 20 and quota/period to cpu.max on v2.
  assert.equal(memoryLimitOf(c.Id), String(64 * 1024 * 1024));
  assert.equal(pidsLimitOf(c.Id), '50');
  assert.equal(readContainerCgroup(c.Id, 'cpu', { v1: 'cpu.cfs_quota_us', v2: 'cpu.max' }), cgroupV2 ? '50000 100000' : '50000');
  assert.equal(readContainerCgroup(c.Id, 'cpu', { v1: 'cpu.shares', v2: 'cpu.weight' }), cgroupV2 ? '20' : '512');
  await rt.delete(c.Id, { force: true });
});

test('capabilities and users resolve as Docker does', () => {
  assert.equal(resolveCapabilities({}).length, 14);
  assert.deepEqual(resolveCapabilities({ capDrop: ['ALL'], capAdd: ['net_admin'] }), ['CAP_NET_ADMIN']);
  assert.ok(resolveCapabilities({ capAdd: ['CAP_SYS_ADMIN'] }).includes('CAP_SYS_ADMIN'));
  assert.throws(() => resolveCapabilities({ capAdd: ['FOO'] }), /unknown capability: "CAP_FOO"/);
  assert.deepEqual(resolveUser(host.rootfs, '1000:44'), { uid: 1000, gid: 44, additionalGids: [44], username: 'app', home: '/home/app' });
  assert.deepEqual(resolveUser(host.rootfs, 'app', ['nogroup']).additionalGids, [1000, 29, 44, 65534]);
  assert.equal(resolveUser(host.rootfs, '4242').uid, 4242);
  assert.throws(() => resolveUser(host.rootfs, 'nouser'), /unable to find user nouser/);
});

test('an oom-score-adj the host cannot apply is a clear error', { skip: !!process.env.BERTH_HAS_SYS_RESOURCE }, () => {
  assert.throws(() => specFor(container({ Cmd: ['true'] }, { OomScoreAdj: -100 })), /oom-score-adj -100/);
  assert.throws(() => specFor(container({ Cmd: ['true'] }, { OomScoreAdj: 2000 })), /range for oom score adj/);
});
