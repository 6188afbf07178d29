import { accessSync, constants, existsSync, readFileSync, statfsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { HostCheck } from '../../common/host-check-report.js';
import { toolVersion } from '../runtime/tool-version.js';

// `berth doctor` and berthd's start-up look at the host the way a user would need it looked at:
// each check says what it found and, when something is wrong, the one line that fixes it.

export interface HostCheckOptions {
  dataRoot: string;
  /** The default runtime's name and its configured path (a bare name is looked up on PATH). */
  runtime: { name: string; path: string };
  socketGroup: string;
  registryMirrors: string[];
  /** Where the host's files are read: tests point these at their own trees. */
  procRoot?: string;
  cgroupRoot?: string;
  /** The PATH to look tools up on (berthd's own, by default). */
  path?: string;
  /** A time before which the clock is surely wrong (the build time of this berth). */
  notBefore?: Date;
  mirrorTimeoutMs?: number;
}

/** Resolves a command as exec would: a path as it is, a bare name through PATH. */
export function resolveExecutable(cmd: string, path = process.env.PATH ?? ''): string | undefined {
  const executable = (p: string) => {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (cmd.includes('/')) return executable(cmd) ? cmd : undefined;
  for (const dir of path.split(delimiter)) {
    if (dir && executable(join(dir, cmd))) return join(dir, cmd);
  }
  return undefined;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

const ok = (name: string, detail: string): HostCheck => ({ name, level: 'ok', detail });
const bad = (level: 'warn' | 'fail', name: string, detail: string, fix: string): HostCheck => ({ name, level, detail, fix });

function cgroupCheck(cgroupRoot: string, procRoot: string): HostCheck {
  if (existsSync(join(cgroupRoot, 'cgroup.controllers'))) {
    const have = (readText(join(cgroupRoot, 'cgroup.controllers')) ?? '').trim().split(/\s+/);
    const missing = ['cpu', 'memory', 'pids'].filter((c) => !have.includes(c));
    if (missing.length) {
      return bad('warn', 'cgroups', `cgroup v2, controllers missing: ${missing.join(', ')}`, `echo "+${missing.join(' +')}" > ${cgroupRoot}/cgroup.subtree_control`);
    }
    return ok('cgroups', `cgroup v2 (${have.join(' ')})`);
  }
  const mounts = readText(join(procRoot, 'self', 'mountinfo')) ?? '';
  const v1 = new Set<string>();
  for (const line of mounts.split('\n')) {
    const m = / - cgroup \S+ (\S+)$/.exec(line);
    if (m) for (const opt of m[1]!.split(',')) v1.add(opt);
  }
  if (v1.size === 0) {
    return bad('fail', 'cgroups', `no cgroup hierarchy mounted under ${cgroupRoot}`, 'apt-get install cgroupfs-mount && cgroupfs-mount');
  }
  const missing = ['cpu', 'memory', 'pids', 'devices', 'freezer'].filter((c) => !v1.has(c));
  if (missing.length) {
    return bad('fail', 'cgroups', `cgroup v1, controllers not mounted: ${missing.join(', ')}`, 'apt-get install cgroupfs-mount && cgroupfs-mount');
  }
  return ok('cgroups', 'cgroup v1 (cpu memory pids devices freezer mounted)');
}

async function toolCheck(name: string, cmd: string, pkg: string, path: string, required = true): Promise<HostCheck> {
  const found = resolveExecutable(cmd, path);
  if (!found) {
    return bad(required ? 'fail' : 'warn', name, `${cmd} not found${cmd.includes('/') ? '' : ' on PATH'}`, `apt-get install ${pkg}`);
  }
  const version = await toolVersion(found);
  return ok(name, version ? `${found} (${version})` : found);
}

function overlayCheck(procRoot: string, dataRoot: string): HostCheck {
  const fs = readText(join(procRoot, 'filesystems')) ?? '';
  if (!/\toverlay$/m.test(fs)) return bad('fail', 'overlayfs', 'the kernel has no overlay filesystem', 'modprobe overlay');
  // d_type is missing only on xfs made with ftype=0: every other filesystem berth meets has it.
  const mount = mountOf(procRoot, dataRoot);
  if (mount?.type === 'xfs' && !/ftype=1/.test(mount.options)) {
    return bad('warn', 'overlayfs', `${dataRoot} is on xfs; d_type support is not shown in its mount options`, `xfs_info ${mount.point} | grep ftype   # must say ftype=1`);
  }
  return ok('overlayfs', `overlay available; ${dataRoot} on ${mount?.type ?? 'unknown'} with d_type`);
}

/** The mount holding `path` (the longest mount point that is a prefix of it). */
function mountOf(procRoot: string, path: string): { point: string; type: string; options: string } | undefined {
  let best: { point: string; type: string; options: string } | undefined;
  for (const line of (readText(join(procRoot, 'self', 'mountinfo')) ?? '').split('\n')) {
    const m = /^\S+ \S+ \S+ \S+ (\S+) (\S+).* - (\S+) \S+ (\S+)$/.exec(line);
    if (!m) continue;
    const point = m[1]!.replace(/\\040/g, ' ');
    const inside = point === '/' || path === point || path.startsWith(point.endsWith('/') ? point : `${point}/`);
    if (inside && (!best || point.length >= best.point.length)) best = { point, type: m[3]!, options: `${m[2]},${m[4]}` };
  }
  return best;
}

function forwardingCheck(procRoot: string): HostCheck {
  const v = readText(join(procRoot, 'sys', 'net', 'ipv4', 'ip_forward'))?.trim();
  if (v !== '1') {
    return bad('warn', 'ip_forward', 'net.ipv4.ip_forward is off: containers cannot reach outside the host until berthd turns it on', 'sysctl -w net.ipv4.ip_forward=1');
  }
  return ok('ip_forward', 'net.ipv4.ip_forward = 1');
}

function brNetfilterCheck(procRoot: string): HostCheck {
  if (!existsSync(join(procRoot, 'sys', 'net', 'bridge'))) {
    return bad('warn', 'br_netfilter', 'br_netfilter is not loaded: firewall rules do not see traffic between containers on one bridge', 'modprobe br_netfilter');
  }
  return ok('br_netfilter', 'loaded');
}

function diskCheck(dataRoot: string): HostCheck {
  let dir = dataRoot;
  while (!existsSync(dir) && dir !== '/') dir = dir.slice(0, dir.lastIndexOf('/')) || '/';
  try {
    const s = statfsSync(dir);
    const free = s.bavail * s.bsize;
    const total = s.blocks * s.bsize;
    const gib = (n: number) => `${(n / 2 ** 30).toFixed(1)} GiB`;
    const detail = `${gib(free)} free of ${gib(total)} under ${dataRoot}`;
    if (free < 1 * 2 ** 30) return bad('fail', 'disk', detail, `berth system prune -a   # or free space on the filesystem of ${dataRoot}`);
    if (free < total * 0.1) return bad('warn', 'disk', detail, 'berth system prune');
    return ok('disk', detail);
  } catch (err) {
    return bad('fail', 'disk', `cannot read ${dataRoot}: ${(err as Error).message}`, `mkdir -p ${dataRoot}`);
  }
}

function groupCheck(group: string): HostCheck {
  const groups = readText('/etc/group') ?? '';
  if (!new RegExp(`^${group.replace(/[^\w-]/g, '\\$&')}:`, 'm').test(groups)) {
    return bad('warn', 'socket group', `group ${group} does not exist: only root can use the API socket`, `groupadd --system ${group}`);
  }
  return ok('socket group', `${group} (members may use the API socket)`);
}

async function mirrorCheck(mirror: string, timeoutMs: number): Promise<HostCheck> {
  const url = `${mirror.replace(/\/+$/, '')}/v2/`;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    // 401 is a live registry that wants a token: reachable all the same.
    if (res.status === 200 || res.status === 401) return ok('registry mirror', `${mirror} answers`);
    return bad('warn', 'registry mirror', `${mirror} answered ${res.status}: pulls fall back to the origin registry`, `curl -v ${url}`);
  } catch (err) {
    const why = (err as Error).name === 'TimeoutError' ? 'timed out' : ((err as { cause?: Error }).cause?.message ?? (err as Error).message);
    return bad('warn', 'registry mirror', `${mirror} unreachable (${why}): pulls fall back to the origin registry`, 'remove it from "registry-mirrors" in /etc/berth/daemon.json, or start it');
  }
}

function clockCheck(notBefore: Date | undefined): HostCheck {
  const now = new Date();
  if (notBefore && now.getTime() < notBefore.getTime() - 86_400_000) {
    return bad('fail', 'clock', `the clock says ${now.toISOString()}, before this berth was built: TLS and registry tokens will fail`, 'date -s "YYYY-MM-DD hh:mm:ss"   # or start NTP: apt-get install systemd-timesyncd');
  }
  return ok('clock', now.toISOString());
}

/** Every check, in the order a report shows them. */
export async function runHostChecks(o: HostCheckOptions): Promise<HostCheck[]> {
  const procRoot = o.procRoot ?? '/proc';
  const cgroupRoot = o.cgroupRoot ?? '/sys/fs/cgroup';
  const path = o.path ?? process.env.PATH ?? '';
  const runtimePkg = o.runtime.name === 'runc' ? 'runc' : 'crun';
  const [runtime, conmon, nft, ip, ...mirrors] = await Promise.all([
    toolCheck(`runtime ${o.runtime.name}`, o.runtime.path, runtimePkg, path),
    toolCheck('conmon', existsSync('/usr/bin/conmon') && !o.path ? '/usr/bin/conmon' : 'conmon', 'conmon', path),
    toolCheck('nftables', 'nft', 'nftables', path),
    toolCheck('iproute2', 'ip', 'iproute2', path),
    ...o.registryMirrors.map((m) => mirrorCheck(m, o.mirrorTimeoutMs ?? 3000)),
  ]);
  return [
    cgroupCheck(cgroupRoot, procRoot),
    runtime!,
    conmon!,
    overlayCheck(procRoot, o.dataRoot),
    nft!,
    ip!,
    forwardingCheck(procRoot),
    brNetfilterCheck(procRoot),
    diskCheck(o.dataRoot),
    groupCheck(o.socketGroup),
    ...mirrors,
    clockCheck(o.notBefore),
  ];
}
