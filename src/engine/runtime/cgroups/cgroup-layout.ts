import { readFileSync, statfsSync } from 'node:fs';
import { join } from 'node:path';

export const CGROUP_ROOT = '/sys/fs/cgroup';
/** statfs f_type of a cgroup2 mount (linux/magic.h). */
const CGROUP2_SUPER_MAGIC = 0x63677270;

/** How the host mounts cgroups: pure v2 at the root, or v1 hierarchies (with an optional cgroup2 beside them). */
export interface CgroupLayout {
  version: '1' | '2';
  root: string;
  /** v1 only: mount point of each controller's hierarchy (a co-mounted one appears under each name). */
  v1: Map<string, string>;
  /** v1 only: the cgroup2 mount of a hybrid host (usually ROOT/unified). */
  unified?: string;
}

const MOUNT_FLAGS = new Set(['rw', 'ro', 'relatime', 'noexec', 'nosuid', 'nodev', 'noatime', 'xattr', 'clone_children']);

/** Reads /proc/self/mountinfo text: cgroup2 mounted at `root` means a unified (v2) host. */
export function parseCgroupMounts(mountinfo: string, root = CGROUP_ROOT): CgroupLayout {
  const v1 = new Map<string, string>();
  let v2Root = false;
  let unified: string | undefined;
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const [fstype, , superOpts] = line.slice(sep + 3).split(' ');
    // Octal escapes (\040 for a space) as the kernel writes them.
    const mountPoint = (line.slice(0, sep).split(' ')[4] ?? '').replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    if (fstype === 'cgroup2') {
      if (mountPoint === root) v2Root = true;
      else if (mountPoint.startsWith(`${root}/`)) unified = mountPoint;
    } else if (fstype === 'cgroup' && mountPoint.startsWith(`${root}/`)) {
      for (const opt of (superOpts ?? '').split(',')) {
        if (!opt || MOUNT_FLAGS.has(opt) || opt.startsWith('release_agent=')) continue;
        v1.set(opt, mountPoint);
      }
    }
  }
  if (v2Root) return { version: '2', root, v1: new Map() };
  return { version: '1', root, v1, ...(unified ? { unified } : {}) };
}

/** The host's cgroup layout, from mountinfo; statfs of the root when mountinfo says nothing. */
export function detectCgroupLayout(root = CGROUP_ROOT): CgroupLayout {
  let layout: CgroupLayout | undefined;
  try {
    layout = parseCgroupMounts(readFileSync('/proc/self/mountinfo', 'utf8'), root);
  } catch {
    layout = undefined;
  }
  if (layout && (layout.version === '2' || layout.v1.size)) return layout;
  try {
    if (statfsSync(root).type === CGROUP2_SUPER_MAGIC) return { version: '2', root, v1: new Map() };
  } catch {
    /* no cgroup fs at all: report v1 with no hierarchies, the runtime explains */
  }
  return layout ?? { version: '1', root, v1: new Map() };
}

/** Reads a cgroup file, undefined when it is absent (controller not enabled, cgroup gone). */
export function readCgroupFile(dir: string, file: string): string | undefined {
  try {
    return readFileSync(join(dir, file), 'utf8');
  } catch {
    return undefined;
  }
}
