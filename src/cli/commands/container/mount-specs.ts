import type { MountRequest } from '../../../common/docker-types/host-config.js';
import { ramInBytes } from '../../output/units.js';

// `--mount type=…,source=…,target=…` (HostConfig.Mounts), `--tmpfs`, `--device`, `--ulimit`.

function parseBool(v: string | undefined, key: string): boolean {
  if (v === undefined) return true;
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(v)) return false;
  throw new Error(`invalid value for ${key}: ${v}`);
}

/** Splits a CSV field list, honouring double quotes as Go's encoding/csv does. */
function csvFields(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '"') {
      if (quoted && value[i + 1] === '"') {
        cur += '"';
        i++;
      } else quoted = !quoted;
    } else if (c === ',' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** docker's mount.Mount as `--mount` builds it (always with a Type). */
export type MountSpec = MountRequest & { Type: string };

export function parseMountSpec(value: string): MountSpec {
  const mount: MountSpec = { Type: 'volume' };
  const volumeOptions = (): NonNullable<MountSpec['VolumeOptions']> => (mount.VolumeOptions ??= {});
  const bindOptions = (): NonNullable<MountSpec['BindOptions']> => (mount.BindOptions ??= {});
  const tmpfsOptions = (): NonNullable<MountSpec['TmpfsOptions']> => (mount.TmpfsOptions ??= {});
  for (const field of csvFields(value)) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase().trim();
    const val = eq < 0 ? undefined : field.slice(eq + 1);
    if (eq < 0 && !['readonly', 'ro', 'volume-nocopy', 'bind-nonrecursive'].includes(key)) {
      throw new Error(`invalid field '${field}' must be a key=value pair`);
    }
    switch (key) {
      case 'type':
        mount.Type = (val ?? '').toLowerCase();
        break;
      case 'source':
      case 'src':
        mount.Source = val;
        break;
      case 'target':
      case 'dst':
      case 'destination':
        mount.Target = val;
        break;
      case 'readonly':
      case 'ro':
        mount.ReadOnly = parseBool(val, key);
        break;
      case 'consistency':
        mount.Consistency = val;
        break;
      case 'bind-propagation':
        bindOptions().Propagation = val;
        break;
      case 'bind-nonrecursive':
        bindOptions().NonRecursive = parseBool(val, key);
        break;
      case 'bind-create-host-path':
        bindOptions().CreateMountpoint = parseBool(val, key);
        break;
      case 'volume-nocopy':
        volumeOptions().NoCopy = parseBool(val, key);
        break;
      case 'volume-subpath':
        volumeOptions().Subpath = val;
        break;
      case 'volume-label': {
        const [k, ...v] = (val ?? '').split('=');
        (volumeOptions().Labels ??= {})[k!] = v.join('=');
        break;
      }
      case 'volume-driver':
        (volumeOptions().DriverConfig ??= {}).Name = val;
        break;
      case 'volume-opt': {
        const [k, ...v] = (val ?? '').split('=');
        ((volumeOptions().DriverConfig ??= {}).Options ??= {})[k!] = v.join('=');
        break;
      }
      case 'tmpfs-size':
        tmpfsOptions().SizeBytes = ramInBytes(val ?? '');
        break;
      case 'tmpfs-mode':
        tmpfsOptions().Mode = parseInt(val ?? '', 8);
        break;
      default:
        throw new Error(`unexpected key '${key}' in '${field}'`);
    }
  }
  if (!mount.Target) throw new Error('target is required');
  if (mount.Type === 'bind' && !mount.Source) throw new Error('source is required when specifying bind mounts');
  if (mount.VolumeOptions && mount.Type !== 'volume') throw new Error(`cannot mix 'volume-*' options with mount type '${mount.Type}'`);
  if (mount.BindOptions && mount.Type !== 'bind') throw new Error(`cannot mix 'bind-*' options with mount type '${mount.Type}'`);
  if (mount.TmpfsOptions && mount.Type !== 'tmpfs') throw new Error(`cannot mix 'tmpfs-*' options with mount type '${mount.Type}'`);
  return mount;
}

/** `--tmpfs /run:rw,size=10m` → ["/run", "rw,size=10m"]. */
export function parseTmpfs(value: string): [string, string] {
  const colon = value.indexOf(':');
  return colon < 0 ? [value, ''] : [value.slice(0, colon), value.slice(colon + 1)];
}

/** `--device /dev/x[:/dev/y][:rwm]`. */
export function parseDevice(value: string): { PathOnHost: string; PathInContainer: string; CgroupPermissions: string } {
  const parts = value.split(':');
  const isPerms = (s: string | undefined): boolean => !!s && /^[rwm]{1,3}$/.test(s);
  const host = parts[0]!;
  let container = host;
  let perms = 'rwm';
  if (parts.length === 2) {
    if (isPerms(parts[1])) perms = parts[1]!;
    else container = parts[1]!;
  } else if (parts.length === 3) {
    container = parts[1]!;
    if (!isPerms(parts[2])) throw new Error(`bad mode specified: ${parts[2]}`);
    perms = parts[2]!;
  } else if (parts.length > 3) throw new Error(`invalid device specification: ${value}`);
  return { PathOnHost: host, PathInContainer: container, CgroupPermissions: perms };
}

/** `--ulimit nofile=100:200` → {Name, Hard, Soft}. */
export function parseUlimit(value: string): { Name: string; Hard: number; Soft: number } {
  const eq = value.indexOf('=');
  if (eq < 0) throw new Error(`invalid ulimit argument: ${value}`);
  const name = value.slice(0, eq);
  const [soft, hard, extra] = value.slice(eq + 1).split(':');
  if (extra !== undefined || !/^-?\d+$/.test(soft ?? '') || (hard !== undefined && !/^-?\d+$/.test(hard))) {
    throw new Error(`invalid ulimit argument: ${value}`);
  }
  const s = Number(soft);
  const h = hard === undefined ? s : Number(hard);
  if (s > h) throw new Error(`ulimit soft limit must be less than or equal to hard limit: ${s} > ${h}`);
  return { Name: name, Hard: h, Soft: s };
}
