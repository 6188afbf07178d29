import type { CgroupDriver, CgroupStats } from './cgroups/cgroup-driver.js';
import { containerCgroupPath, containerCgroupTop, specCgroupsPath, type CgroupManager } from './cgroups/cgroup-manager.js';
import { cgroupDriver, cgroupManager } from './host-setup.js';
import type { OciLinuxResources } from './oci-spec.js';

/** A container's cgroup, found under a cgroup manager's naming, read and written through a driver. */
export class ContainerCgroups {
  constructor(
    private readonly driver: CgroupDriver,
    private readonly manager: CgroupManager,
  ) {}

  /** The OCI linux.cgroupsPath for the runtime. */
  specPath(id: string): string {
    return specCgroupsPath(this.manager, id);
  }

  /**
   * Where the container's processes are, relative to the cgroup root. With systemd on v2, crun 1.8
   * puts them in the scope's "container" sub-cgroup; runc and other crun versions use the scope
   * itself: whichever exists.
   */
  path(id: string): string {
    const path = containerCgroupPath(this.manager, this.driver.version, id);
    const top = containerCgroupTop(this.manager, id);
    return path !== top && !this.driver.dirs(path).length && this.driver.dirs(top).length ? top : path;
  }

  /** The container's cgroup directories that exist, in every hierarchy. */
  dirs(id: string): string[] {
    return this.driver.dirs(containerCgroupTop(this.manager, id));
  }

  oomKilled(id: string): boolean {
    return this.driver.oomKilled(this.path(id));
  }

  stats(id: string): CgroupStats {
    return this.driver.stats(this.path(id));
  }

  cpuStats(id: string): CgroupStats['cpu'] {
    return this.driver.cpuStats(this.path(id));
  }

  update(id: string, resources: OciLinuxResources): void {
    this.driver.update(this.path(id), resources);
  }

  pids(id: string): number[] {
    return this.driver.pids(this.path(id));
  }

  /** Removes the whole container cgroup (the scope, for systemd); returns directories still busy. */
  remove(id: string): string[] {
    return this.driver.remove(containerCgroupTop(this.manager, id));
  }
}

/** The host's: its layout's driver and the manager prepareHost chose. */
const host = (): ContainerCgroups => new ContainerCgroups(cgroupDriver(), cgroupManager());

/** The OCI linux.cgroupsPath berth gives a container under the host's cgroup manager. */
export const cgroupsPathFor = (id: string): string => host().specPath(id);
/** The container's cgroup directories that exist, in every hierarchy. */
export const containerCgroupDirs = (id: string): string[] => host().dirs(id);
/** Whether the kernel OOM-killed a process in the container's cgroup (read before the cgroup goes). */
export const cgroupSawOomKill = (id: string): boolean => host().oomKilled(id);
/** A running container's cgroup counters (CPU, memory, pids, block I/O). */
export const containerCgroupStats = (id: string): CgroupStats => host().stats(id);
export const containerCgroupCpuStats = (id: string): CgroupStats['cpu'] => host().cpuStats(id);
/** Applies new limits to a running container's cgroup (`docker update`). */
export const updateContainerCgroup = (id: string, resources: OciLinuxResources): void => host().update(id, resources);
/** Every pid in the container's cgroup. */
export const containerCgroupPids = (id: string): number[] => host().pids(id);
/** Removes the container's cgroup directories left in any hierarchy; returns those that remain. */
export const removeContainerCgroups = (id: string): string[] => host().remove(id);
