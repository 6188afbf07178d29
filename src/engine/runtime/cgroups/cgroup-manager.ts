import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { InvalidArgumentError } from '../../../common/errors.js';

/**
 * Who creates container cgroups: the runtime itself in the cgroupfs (`cgroupfs`), or systemd as
 * transient scope units (`systemd`). Docker calls this the cgroup driver (`docker info`).
 */
export type CgroupManager = 'cgroupfs' | 'systemd';

/** berth's parent cgroup with the cgroupfs manager; each container lives at /berth/<id>. */
export const BERTH_CGROUP_PARENT = '/berth';
/** The slice systemd puts berth's container scopes in (berth-<id>.scope), as dockerd uses docker-<id>.scope. */
export const BERTH_SLICE = 'system.slice';
/** crun moves a systemd-managed container into this sub-cgroup of its scope on v2 (crun(1), run.oci.systemd.subgroup). */
const SYSTEMD_SUBGROUP_V2 = 'container';

/** Whether systemd is PID 1, as sd_booted(3) tells it: /run/systemd/system is a directory. */
export function systemdRunning(): boolean {
  try {
    return statSync('/run/systemd/system').isDirectory();
  } catch {
    return false;
  }
}

/**
 * The manager from daemon.json's exec-opts (`native.cgroupdriver=systemd|cgroupfs`), with dockerd's
 * default: systemd on a cgroup v2 host booted by systemd, cgroupfs otherwise.
 */
export function cgroupManagerFrom(execOpts: string[], version: '1' | '2', systemd: boolean): CgroupManager {
  let chosen: string | undefined;
  for (const opt of execOpts) {
    const eq = opt.indexOf('=');
    if (eq < 0) throw new InvalidArgumentError(`invalid exec-opt: ${opt}: must be of the form key=value`);
    if (opt.slice(0, eq).trim().toLowerCase() === 'native.cgroupdriver') chosen ??= opt.slice(eq + 1).trim();
  }
  if (chosen !== undefined && chosen !== 'cgroupfs' && chosen !== 'systemd') {
    throw new InvalidArgumentError(`native.cgroupdriver option ${chosen} not supported`);
  }
  if (chosen === 'systemd' && !systemd) {
    // dockerd would only fail at the first container start; say it once, at startup.
    throw new InvalidArgumentError('native.cgroupdriver=systemd: systemd is not running on this host (no /run/systemd/system); use cgroupfs');
  }
  if (chosen) return chosen;
  return version === '2' && systemd ? 'systemd' : 'cgroupfs';
}

/** linux.cgroupsPath for the runtime: a path for cgroupfs, "slice:prefix:name" for systemd. */
export function specCgroupsPath(manager: CgroupManager, id: string): string {
  return manager === 'systemd' ? `${BERTH_SLICE}:berth:${id}` : `${BERTH_CGROUP_PARENT}/${id}`;
}

/** Where the container's processes end up, relative to the cgroup root (each v1 hierarchy's or v2's). */
export function containerCgroupPath(manager: CgroupManager, version: '1' | '2', id: string): string {
  if (manager === 'cgroupfs') return `${BERTH_CGROUP_PARENT}/${id}`;
  const scope = `/${BERTH_SLICE}/berth-${id}.scope`;
  return version === '2' ? `${scope}/${SYSTEMD_SUBGROUP_V2}` : scope;
}

/** The cgroup directory whose removal takes the whole container with it (the scope for systemd). */
export function containerCgroupTop(manager: CgroupManager, id: string): string {
  return manager === 'systemd' ? `/${BERTH_SLICE}/berth-${id}.scope` : `${BERTH_CGROUP_PARENT}/${id}`;
}

/** The parent whose controllers containers inherit (berth's own for cgroupfs, the slice for systemd). */
export function containerParent(manager: CgroupManager): string {
  return manager === 'systemd' ? `/${BERTH_SLICE}` : BERTH_CGROUP_PARENT;
}

/** The runtime's global flag selecting the manager (crun --cgroup-manager, runc --systemd-cgroup). */
export function runtimeManagerArgs(runtimePath: string, manager: CgroupManager): string[] {
  const name = basename(runtimePath);
  if (name.startsWith('crun')) return [`--cgroup-manager=${manager}`];
  if (name.startsWith('runc')) return manager === 'systemd' ? ['--systemd-cgroup'] : [];
  return [];
}
