import type { BigIntStats, Stats } from 'node:fs';

// The container path stat Docker sends in X-Docker-Container-Path-Stat: base64 of
// {name,size,mode,mtime,linkTarget}, where mode is a Go os.FileMode (type bits up high).

export interface ContainerPathStat {
  name: string;
  size: number;
  mode: number;
  mtime: string;
  linkTarget: string;
}

const GO_MODE = {
  dir: 2 ** 31,
  symlink: 2 ** 27,
  device: 2 ** 26,
  namedPipe: 2 ** 25,
  socket: 2 ** 24,
  setuid: 2 ** 23,
  setgid: 2 ** 22,
  charDevice: 2 ** 21,
  sticky: 2 ** 20,
};

/** Go's fs.FileMode for a Unix stat mode (syscall mode → os.FileMode, as os.fillFileStatFromSys does). */
export function goFileMode(mode: number): number {
  let m = mode & 0o777;
  switch (mode & 0o170000) {
    case 0o040000:
      m += GO_MODE.dir;
      break;
    case 0o120000:
      m += GO_MODE.symlink;
      break;
    case 0o060000:
      m += GO_MODE.device;
      break;
    case 0o020000:
      m += GO_MODE.device + GO_MODE.charDevice;
      break;
    case 0o010000:
      m += GO_MODE.namedPipe;
      break;
    case 0o140000:
      m += GO_MODE.socket;
      break;
  }
  if (mode & 0o4000) m += GO_MODE.setuid;
  if (mode & 0o2000) m += GO_MODE.setgid;
  if (mode & 0o1000) m += GO_MODE.sticky;
  return m;
}

/** Back from a Go FileMode to Unix mode bits (for tar headers the CLI builds from a stat). */
export function unixMode(goMode: number): number {
  let m = goMode & 0o777;
  const has = (bit: number) => Math.floor(goMode / bit) % 2 === 1;
  if (has(GO_MODE.dir)) m |= 0o040000;
  else if (has(GO_MODE.symlink)) m |= 0o120000;
  else if (has(GO_MODE.charDevice)) m |= 0o020000;
  else if (has(GO_MODE.device)) m |= 0o060000;
  else if (has(GO_MODE.namedPipe)) m |= 0o010000;
  else if (has(GO_MODE.socket)) m |= 0o140000;
  else m |= 0o100000;
  if (has(GO_MODE.setuid)) m |= 0o4000;
  if (has(GO_MODE.setgid)) m |= 0o2000;
  if (has(GO_MODE.sticky)) m |= 0o1000;
  return m;
}

/** Go's time.Time JSON form: RFC 3339 with nanoseconds, trailing zeros dropped. */
export function goTime(ns: bigint): string {
  const secs = ns / 1_000_000_000n;
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  const base = new Date(Number(secs) * 1000).toISOString().slice(0, 19);
  return `${base}${frac ? '.' + frac : ''}Z`;
}

export function pathStat(name: string, st: BigIntStats | Stats, linkTarget: string): ContainerPathStat {
  const ns = typeof st.mtimeMs === 'bigint' ? (st as BigIntStats).mtimeNs : BigInt(Math.round((st as Stats).mtimeMs * 1e6));
  return { name, size: Number(st.size), mode: goFileMode(Number(st.mode)), mtime: goTime(ns), linkTarget };
}

export function encodePathStat(s: ContainerPathStat): string {
  return Buffer.from(JSON.stringify(s)).toString('base64');
}

export function decodePathStat(header: string): ContainerPathStat {
  return JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as ContainerPathStat;
}
