import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from '../../../common/errors.js';

/** Docker's default capability set (moby oci/caps/defaults.go). */
export const DEFAULT_CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

/** Every capability the kernel knows (up to CAP_CHECKPOINT_RESTORE, 40). */
export const ALL_CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN',
  'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ',
  'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

/** Capabilities in berthd's bounding set: a container can be given no others (Docker: GetAllCapabilities). */
export function grantableCapabilities(): string[] {
  try {
    const m = /^CapBnd:\s*([0-9a-f]+)/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (!m) return [...ALL_CAPABILITIES];
    const bnd = BigInt(`0x${m[1]}`);
    return ALL_CAPABILITIES.filter((_, bit) => (bnd & (1n << BigInt(bit))) !== 0n);
  } catch {
    return [...ALL_CAPABILITIES];
  }
}

/** `net_admin`, `NET_ADMIN`, `CAP_NET_ADMIN` → `CAP_NET_ADMIN`; `ALL` stays `ALL`. */
export function normalizeCapability(name: string, field: 'CapAdd' | 'CapDrop' = 'CapAdd'): string {
  const up = name.trim().toUpperCase();
  if (up === 'ALL') return 'ALL';
  const cap = up.startsWith('CAP_') ? up : `CAP_${up}`;
  if (!ALL_CAPABILITIES.includes(cap)) throw new InvalidArgumentError(`invalid ${field}: unknown capability: "${cap}"`);
  return cap;
}

/**
 * The capability list Docker would grant (moby oci/caps TweakCapabilities): defaults, or all when
 * privileged; CapAdd then CapDrop, either of which may say ALL.
 */
export function resolveCapabilities(o: { capAdd?: string[] | null; capDrop?: string[] | null; privileged?: boolean }): string[] {
  if (o.privileged) return grantableCapabilities();
  const add = (o.capAdd ?? []).map((c) => normalizeCapability(c, 'CapAdd'));
  const drop = (o.capDrop ?? []).map((c) => normalizeCapability(c, 'CapDrop'));
  let caps: string[];
  if (add.includes('ALL')) caps = grantableCapabilities();
  else caps = [...new Set([...DEFAULT_CAPABILITIES, ...add])];
  if (drop.includes('ALL')) {
    // Drop ALL, then keep only what was explicitly added.
    caps = add.includes('ALL') ? [] : add.filter((c) => c !== 'ALL');
  } else {
    caps = caps.filter((c) => !drop.includes(c));
  }
  return [...new Set(caps)];
}
