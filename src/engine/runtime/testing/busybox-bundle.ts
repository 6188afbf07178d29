import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BerthPaths } from '../../../common/paths.js';
import { cgroupsPathFor } from '../container-cgroups.js';
import type { OciSpec } from '../oci-spec.js';

/** A scratch data-root/exec-root with a busybox-static rootfs, for tests that run real containers. */
export interface TestHost {
  root: string;
  paths: BerthPaths;
  rootfs: string;
  /** A fresh bundle dir for one container. */
  bundle(id: string): string;
  remove(): void;
}

export function makeTestHost(): TestHost {
  const root = mkdtempSync(join(tmpdir(), 'berth-rt-'));
  const paths = new BerthPaths(join(root, 'data'), join(root, 'run'));
  const rootfs = join(root, 'rootfs');
  for (const d of ['bin', 'etc', 'tmp', 'proc', 'sys', 'dev', 'root']) mkdirSync(join(rootfs, d), { recursive: true });
  copyFileSync('/bin/busybox', join(rootfs, 'bin/busybox'));
  const applets = execFileSync('/bin/busybox', ['--list']).toString().trim().split('\n');
  for (const a of applets) if (a !== 'busybox') symlinkSync('busybox', join(rootfs, 'bin', a));
  writeFileSync(join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\napp:x:1000:1000::/home/app:/bin/sh\n');
  writeFileSync(join(rootfs, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\napp:x:1000:\naudio:x:29:app\nvideo:x:44:app,other\n');
  return {
    root,
    paths,
    rootfs,
    bundle(id) {
      const b = join(paths.containerDir(id), 'bundle');
      mkdirSync(b, { recursive: true });
      return b;
    },
    remove() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Names a test container so leftovers are recognisable. */
export function testId(tag: string): string {
  return `berthtest${tag}${process.pid}${Math.floor(Math.random() * 1e6)}`.slice(0, 64);
}

export function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** The smallest spec crun accepts: crun spec's defaults with berth's cgroup path (for the host's cgroup manager), no seccomp. */
export function minimalSpec(rootfs: string, id: string, args: string[], tty = false): OciSpec {
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: tty,
      ...(tty ? { consoleSize: { height: 24, width: 80 } } : {}),
      user: { uid: 0, gid: 0 },
      args,
      env: ['PATH=/bin', 'TERM=xterm'],
      cwd: '/',
      capabilities: { bounding: ['CAP_KILL'], effective: ['CAP_KILL'], permitted: ['CAP_KILL'] },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    },
    root: { path: rootfs, readonly: true },
    hostname: 'berthtest',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620'] },
      { destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev'] },
    ],
    linux: {
      namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'network' }],
      cgroupsPath: cgroupsPathFor(id),
      resources: { devices: [{ allow: false, access: 'rwm' }] },
    },
  };
}
