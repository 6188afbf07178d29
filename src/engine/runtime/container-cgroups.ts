import type { CgroupStats } from './cgroups/cgroup-driver.js';
import { containerCgroupPath, containerCgroupTop, specCgroupsPath } from './cgroups/cgroup-manager.js';
import { cgroupDriver, cgroupManager } from './host-setup.js';
import type { OciLinuxResources } from './oci-spec.js';

/** The OCI linux.cgroupsPath berth gives a container under the host's cgroup manager. */
export function cgroupsPathFor(id: string): string {
  return specCgroupsPath(cgroupManager(), id);
}

/** The container's cgroup (where its processes are), relative to the cgroup root. */
function pathOf(id: string): string {
  return containerCgroupPath(cgroupManager(), cgroupDriver().version, id);
}

/** The container's cgroup directories that exist, in every hierarchy. */
export function containerCgroupDirs(id: string): string[] {
  return cgroupDriver().dirs(containerCgroupTop(cgroupManager(), id));
}

/** Whether the kernel OOM-killed a process in the container's cgroup (read before the cgroup goes). */
export function cgroupSawOomKill(id: string): boolean {
  return cgroupDriver().oomKilled(pathOf(id));
}

/** A running container's cgroup counters (CPU, memory, pids, block I/O). */
export function containerCgroupStats(id: string): CgroupStats {
  return cgroupDriver().stats(pathOf(id));
}

/** Applies new limits to a running container's cgroup (`docker update`). */
export function updateContainerCgroup(id: string, resources: OciLinuxResources): void {
  cgroupDriver().update(pathOf(id), resources);
}

/** Every pid in the container's cgroup. */
export function containerCgroupPids(id: string): number[] {
  return cgroupDriver().pids(pathOf(id));
}

/** Removes the container's cgroup directories left in any hierarchy; returns those that remain. */
export function removeContainerCgroups(id: string): string[] {
  return cgroupDriver().remove(containerCgroupTop(cgroupManager(), id));
}
