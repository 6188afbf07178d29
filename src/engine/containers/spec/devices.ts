import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError } from '../../../common/errors.js';
import type { OciDevice, OciDeviceRule } from '../../runtime/oci-spec.js';

/** Docker's device cgroup rules for an unprivileged container: deny all, then its allow list. */
export function defaultDeviceRules(): OciDeviceRule[] {
  const c = (major: number | undefined, minor: number | undefined, access = 'rwm'): OciDeviceRule => ({
    allow: true,
    type: 'c',
    ...(major !== undefined ? { major } : {}),
    ...(minor !== undefined ? { minor } : {}),
    access,
  });
  return [
    { allow: false, access: 'rwm' },
    c(undefined, undefined, 'm'), // mknod of any char device
    { allow: true, type: 'b', access: 'm' }, // mknod of any block device
    c(1, 3), // /dev/null
    c(1, 8), // /dev/random
    c(1, 7), // /dev/full
    c(5, 0), // /dev/tty
    c(1, 5), // /dev/zero
    c(1, 9), // /dev/urandom
    c(136, undefined), // /dev/pts/*
    c(5, 2), // /dev/ptmx
    c(10, 200), // /dev/net/tun
  ];
}

function majorMinor(rdev: number): { major: number; minor: number } {
  const r = BigInt(rdev);
  const major = Number(((r >> 8n) & 0xfffn) | ((r >> 32n) & ~0xfffn));
  const minor = Number((r & 0xffn) | ((r >> 12n) & ~0xffn));
  return { major, minor };
}

/** One host device node as an OCI device, placed at `containerPath`. */
export function hostDevice(hostPath: string, containerPath = hostPath): OciDevice {
  let st;
  try {
    st = statSync(hostPath);
  } catch {
    throw new InvalidArgumentError(`error gathering device information while adding custom device "${hostPath}": no such file or directory`);
  }
  const type = st.isCharacterDevice() ? 'c' : st.isBlockDevice() ? 'b' : undefined;
  if (!type) throw new InvalidArgumentError(`error gathering device information while adding custom device "${hostPath}": not a device node`);
  const { major, minor } = majorMinor(st.rdev);
  return { type, path: containerPath, major, minor, fileMode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
}

// /dev entries a privileged container must not get as host nodes: the runtime mounts its own.
const SKIP = new Set(['pts', 'shm', 'mqueue', 'fd', 'core', 'console', 'ptmx', 'stdin', 'stdout', 'stderr']);

/** Every device node under the host's /dev, for --privileged. */
export function allHostDevices(root = '/dev'): OciDevice[] {
  const out: OciDevice[] = [];
  const walk = (dir: string, depth: number): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (depth === 0 && SKIP.has(e.name)) continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (depth < 3) walk(p, depth + 1);
      } else if (e.isCharacterDevice() || e.isBlockDevice()) {
        try {
          out.push(hostDevice(p));
        } catch {
          // vanished while listing
        }
      }
    }
  };
  walk(root, 0);
  return out;
}

/** HostConfig.Devices entries → devices plus their cgroup allow rules. */
export function requestedDevices(list: { PathOnHost?: string; PathInContainer?: string; CgroupPermissions?: string }[]): {
  devices: OciDevice[];
  rules: OciDeviceRule[];
} {
  const devices: OciDevice[] = [];
  const rules: OciDeviceRule[] = [];
  for (const d of list) {
    const onHost = d.PathOnHost ?? '';
    const dev = hostDevice(onHost, d.PathInContainer || onHost);
    devices.push(dev);
    rules.push({ allow: true, type: dev.type as 'c' | 'b', major: dev.major!, minor: dev.minor!, access: d.CgroupPermissions || 'rwm' });
  }
  return { devices, rules };
}

/** moby's pattern for one --device-cgroup-rule: type, major:minor (each a number or *), access. */
const CGROUP_RULE = /^([acb]) ([0-9]+|\*):([0-9]+|\*) ([rwm]{1,3})$/;

/**
 * HostConfig.DeviceCgroupRules ("c 7:128 rwm", "c 7:* rw", "a *:* m") → allow rules, as moby's
 * AppendDevicePermissionsFromCgroupRules makes them. A `*` is left out of the rule: OCI's "any".
 */
export function deviceCgroupRules(rules: string[] | null | undefined): OciDeviceRule[] {
  return (rules ?? []).map((rule) => {
    const m = CGROUP_RULE.exec(rule);
    if (!m) throw new InvalidArgumentError(`invalid device cgroup rule format: '${rule}'`);
    const [, type, major, minor, access] = m;
    return {
      allow: true,
      type: type as 'a' | 'c' | 'b',
      ...(major !== '*' ? { major: Number(major) } : {}),
      ...(minor !== '*' ? { minor: Number(minor) } : {}),
      access: access!,
    };
  });
}
