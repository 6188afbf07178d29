import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { detectCgroupLayout } from '../../src/engine/runtime/cgroups/cgroup-layout.js';
import { containerCgroupPath, containerCgroupTop } from '../../src/engine/runtime/cgroups/cgroup-manager.js';

// Where a container's cgroup files are on this host, for tests that check limits landed: v1 keeps
// one directory per controller hierarchy, v2 one directory for all; the daemon may use cgroupfs
// (/berth/<id>) or systemd (system.slice/berth-<id>.scope). Tests name the file in both layouts.

const layout = detectCgroupLayout();
export const cgroupV2 = layout.version === '2';

/** The container's cgroup directory holding `controller`'s files, or undefined if none exists. */
export function containerCgroupDir(id: string, controller: string): string | undefined {
  const base = cgroupV2 ? layout.root : layout.v1.get(controller);
  if (!base) return undefined;
  const candidates = [containerCgroupPath('cgroupfs', layout.version, id), containerCgroupPath('systemd', layout.version, id), containerCgroupTop('systemd', id)];
  for (const path of candidates) {
    const dir = join(base, path);
    if (existsSync(dir)) return dir;
  }
  return undefined;
}

/** Reads one of the container's cgroup files: `v1` names the file in the controller's hierarchy, `v2` in the unified tree. */
export function readContainerCgroup(id: string, controller: string, files: { v1: string; v2: string }): string | undefined {
  const dir = containerCgroupDir(id, controller);
  if (!dir) return undefined;
  try {
    return readFileSync(join(dir, cgroupV2 ? files.v2 : files.v1), 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** The container's memory limit in bytes as the kernel holds it (v1 memory.limit_in_bytes, v2 memory.max). */
export const memoryLimitOf = (id: string): string | undefined => readContainerCgroup(id, 'memory', { v1: 'memory.limit_in_bytes', v2: 'memory.max' });
/** pids.max, the same file in both layouts. */
export const pidsLimitOf = (id: string): string | undefined => readContainerCgroup(id, 'pids', { v1: 'pids.max', v2: 'pids.max' });
