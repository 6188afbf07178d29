import { existsSync, readFileSync, readdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { BERTH_CGROUP_PARENT, CGROUP_ROOT, cgroupMountPoints, cgroupVersionOf, v1Hierarchies } from './host-setup.js';

/** The OCI cgroupsPath berth gives every container. */
export function cgroupsPathFor(id: string): string {
  return `${BERTH_CGROUP_PARENT}/${id}`;
}

/** The container's cgroup directory in each mounted hierarchy. */
export function containerCgroupDirs(id: string): string[] {
  return cgroupMountPoints().map((p) => join(p, cgroupsPathFor(id)));
}

/** The directory holding the memory controller's files for a container, if any. */
export function memoryCgroupDir(id: string): string | undefined {
  if (cgroupVersionOf() === '2') return join(CGROUP_ROOT, cgroupsPathFor(id));
  const mem = v1Hierarchies().get('memory');
  return mem ? join(mem, cgroupsPathFor(id)) : undefined;
}

/** Whether the kernel OOM-killed a process in the container's cgroup (read before the cgroup goes). */
export function cgroupSawOomKill(id: string): boolean {
  const dir = memoryCgroupDir(id);
  if (!dir) return false;
  const file = cgroupVersionOf() === '2' ? 'memory.events' : 'memory.oom_control';
  try {
    const m = /^oom_kill (\d+)/m.exec(readFileSync(join(dir, file), 'utf8'));
    return !!m && Number(m[1]) > 0;
  } catch {
    return false;
  }
}

function removeTree(dir: string): void {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) removeTree(join(dir, e.name));
  try {
    rmdirSync(dir);
  } catch {
    // still has tasks (a process survived): leave it, the next cleanup retries
  }
}

/** Removes the container's cgroup directories left in any hierarchy; returns those that remain. */
export function removeContainerCgroups(id: string): string[] {
  const dirs = containerCgroupDirs(id);
  for (const d of dirs) removeTree(d);
  return dirs.filter((d) => existsSync(d));
}
