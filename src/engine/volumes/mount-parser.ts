import type { MountRequest } from '../containers/container-model.js';
import { existsSync } from 'node:fs';
import { posix } from 'node:path';
import { InvalidArgumentError } from '../../common/errors.js';

// Docker's Linux mount parser: `-v` strings (HostConfig.Binds), `--mount` specs (HostConfig.Mounts),
// `--volumes-from` and `--tmpfs`, with the messages dockerd gives for each mistake.

export type MountType = 'volume' | 'bind' | 'tmpfs';

/** A mount as parsed, before any volume exists: what plan() turns into a MountPoint. */
export interface ParsedMount {
  Type: MountType;
  /** Volume name; empty for an anonymous volume. */
  Name: string;
  /** Host path of a bind. */
  Source: string;
  Destination: string;
  Mode: string;
  RW: boolean;
  Propagation: string;
  copyData: boolean;
  /** `--mount` volume options for a volume created on the fly. */
  driverOpts?: Record<string, string>;
  labels?: Record<string, string>;
}

const PROPAGATION = new Set(['private', 'rprivate', 'slave', 'rslave', 'shared', 'rshared']);
const CONSISTENCY = new Set(['consistent', 'cached', 'delegated', 'default']);
const DEFAULT_PROPAGATION = 'rprivate';

export function invalidSpec(raw: string): string {
  return `invalid volume specification: '${raw}'`;
}

function mountConfigError(type: string, msg: string): InvalidArgumentError {
  return new InvalidArgumentError(`invalid mount config for type "${type}": ${msg}`);
}

/** Docker's linuxValidMountMode: each kind of flag at most once, nothing unknown. */
export function validMountMode(mode: string): boolean {
  if (mode === '') return true;
  const counts = { rw: 0, label: 0, prop: 0, copy: 0, consistency: 0 };
  for (const o of mode.split(',')) {
    if (o === 'rw' || o === 'ro') counts.rw++;
    else if (o === 'z' || o === 'Z') counts.label++;
    else if (PROPAGATION.has(o)) counts.prop++;
    else if (o === 'nocopy') counts.copy++;
    else if (CONSISTENCY.has(o)) counts.consistency++;
    else return false;
  }
  return Object.values(counts).every((n) => n <= 1);
}

function modeFlags(mode: string): string[] {
  return mode === '' ? [] : mode.split(',');
}

function validateTarget(type: string, target: string | undefined): string {
  if (!target) throw mountConfigError(type, 'field Target must not be empty');
  if (posix.normalize(target) === '/' || posix.normalize(target) === '//') {
    throw mountConfigError(type, "invalid specification: destination can't be '/'");
  }
  if (!posix.isAbsolute(target)) throw mountConfigError(type, `invalid mount path: '${target}' mount path must be absolute`);
  return posix.normalize(target).replace(/\/+$/, '') || '/';
}

/** One `-v` string: `dest`, `src:dest` or `src:dest:mode`; an absolute src is a bind, else a volume name. */
export function parseBind(raw: string): ParsedMount {
  const parts = raw.split(':');
  if (parts[0] === '' || parts.length > 3) throw new InvalidArgumentError(invalidSpec(raw));
  let source = '';
  let target: string;
  let mode = '';
  if (parts.length === 1) target = parts[0]!;
  else if (parts.length === 2) {
    if (validMountMode(parts[1]!)) throw new InvalidArgumentError(invalidSpec(raw));
    [source, target] = [parts[0]!, parts[1]!];
  } else [source, target, mode] = [parts[0]!, parts[1]!, parts[2]!];
  if (!validMountMode(mode)) throw new InvalidArgumentError(`invalid mode: ${mode}`);
  const flags = modeFlags(mode);
  const type: MountType = posix.isAbsolute(source) ? 'bind' : 'volume';
  let destination: string;
  try {
    destination = validateTarget(type, target);
  } catch (err) {
    throw new InvalidArgumentError(`${invalidSpec(raw)}: ${(err as Error).message}`);
  }
  if (type === 'volume' && source !== '' && !/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(source)) {
    throw new InvalidArgumentError(
      `create ${source}: "${source}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`,
    );
  }
  return {
    Type: type,
    Name: type === 'volume' ? source : '',
    Source: type === 'bind' ? posix.normalize(source).replace(/(.)\/+$/, '$1') : '',
    Destination: destination,
    Mode: mode,
    RW: !flags.includes('ro'),
    Propagation: type === 'bind' ? (flags.find((f) => PROPAGATION.has(f)) ?? DEFAULT_PROPAGATION) : '',
    copyData: !flags.includes('nocopy'),
  };
}

/** Docker's ConvertTmpfsOptions: `--mount type=tmpfs` size/mode/options as mount data. */
export function tmpfsData(opts: MountRequest['TmpfsOptions'], readOnly: boolean): string[] {
  const out: string[] = [];
  if (readOnly) out.push('ro');
  if (opts?.Mode) out.push(`mode=${Number(opts.Mode).toString(8)}`);
  if (opts?.SizeBytes) {
    let size = Number(opts.SizeBytes);
    let suffix = '';
    for (const [s, div] of [['g', 1 << 30], ['m', 1 << 20], ['k', 1 << 10]] as const) {
      if (size % div === 0) {
        size /= div;
        suffix = s;
        break;
      }
    }
    out.push(`size=${size}${suffix}`);
  }
  for (const o of (opts?.Options ?? []) as string[][]) {
    if (!Array.isArray(o) || o.length < 1 || o.length > 2) throw new InvalidArgumentError('invalid option array length');
    if (o[0] !== 'exec' && o[0] !== 'noexec') throw new InvalidArgumentError(`invalid option: ${o[0]}`);
    out.push(o.length === 1 ? o[0]! : `${o[0]}=${o[1]}`);
  }
  return out;
}

/** One HostConfig.Mounts entry (`--mount`), checked as dockerd checks it at create. */
export function parseMountSpec(m: MountRequest): ParsedMount {
  const type = String(m.Type ?? '');
  if (!['volume', 'bind', 'tmpfs'].includes(type)) {
    if (type === 'npipe' || type === 'cluster' || type === 'image') throw mountConfigError(type, `mount type "${type}" is not supported`);
    throw mountConfigError(type, 'mount type unknown');
  }
  const destination = validateTarget(type, m.Target);
  const source = String(m.Source ?? '');
  const base: ParsedMount = {
    Type: type as MountType,
    Name: '',
    Source: '',
    Destination: destination,
    Mode: '',
    RW: !m.ReadOnly,
    Propagation: '',
    copyData: true,
  };
  if (type === 'bind') {
    if (!source) throw mountConfigError(type, 'field Source must not be empty');
    const prop = m.BindOptions?.Propagation;
    if (prop && !PROPAGATION.has(prop)) throw mountConfigError(type, `invalid propagation mode: ${prop}`);
    if (m.VolumeOptions) throw mountConfigError(type, 'field VolumeOptions must not be specified');
    if (!posix.isAbsolute(source)) throw mountConfigError(type, `invalid mount path: '${source}' mount path must be absolute`);
    if (!existsSync(source) && !m.BindOptions?.CreateMountpoint) throw mountConfigError(type, `bind source path does not exist: ${source}`);
    return { ...base, Source: posix.normalize(source), Propagation: prop || DEFAULT_PROPAGATION };
  }
  if (type === 'volume') {
    if (m.BindOptions) throw mountConfigError(type, 'field BindOptions must not be specified');
    const vo = m.VolumeOptions ?? {};
    if (vo.Subpath) {
      if (!source) throw mountConfigError(type, 'must not set Subpath when using anonymous volumes');
      if (posix.isAbsolute(vo.Subpath) || posix.normalize(vo.Subpath).startsWith('..')) {
        throw mountConfigError(type, 'subpath must be a relative path within the volume');
      }
    }
    if (m.ReadOnly && !source) throw mountConfigError(type, 'must not set ReadOnly mode when using anonymous volumes');
    const driver = vo.DriverConfig?.Name;
    if (driver && driver !== 'local') throw new InvalidArgumentError(`error looking up volume plugin ${driver}: plugin "${driver}" not found`);
    return {
      ...base,
      Name: source,
      copyData: !vo.NoCopy,
      driverOpts: vo.DriverConfig?.Options ?? undefined,
      labels: vo.Labels ?? undefined,
    };
  }
  if (m.BindOptions) throw mountConfigError(type, 'field BindOptions must not be specified');
  if (source) throw mountConfigError(type, 'field Source must not be specified');
  try {
    tmpfsData(m.TmpfsOptions, !!m.ReadOnly);
  } catch (err) {
    throw mountConfigError(type, (err as Error).message);
  }
  return base;
}

/** `--volumes-from ctr[:ro|rw]`: the container and the mode (propagation and nocopy refused). */
export function parseVolumesFrom(spec: string): { ref: string; mode: string } {
  if (!spec) throw new InvalidArgumentError('volumes-from specification cannot be an empty string');
  const i = spec.indexOf(':');
  const ref = i < 0 ? spec : spec.slice(0, i);
  const mode = i < 0 ? '' : spec.slice(i + 1);
  if (mode === '') return { ref, mode: 'rw' };
  const flags = modeFlags(mode);
  if (!validMountMode(mode) || flags.some((f) => PROPAGATION.has(f) || f === 'nocopy')) throw new InvalidArgumentError(`invalid mode: ${mode}`);
  return { ref, mode };
}

/** A `--tmpfs` destination: absolute and not `/`. */
export function validateTmpfsDestination(dest: string): string {
  const clean = posix.normalize(dest);
  if (clean === '/') throw new InvalidArgumentError("invalid specification: destination can't be '/'");
  if (!posix.isAbsolute(dest)) throw new InvalidArgumentError(`invalid mount path: '${dest}' mount path must be absolute`);
  return clean.replace(/\/+$/, '');
}

/**
 * Merges tmpfs mount flags as Docker's MergeTmpfsOptions does: a later flag overrides an earlier
 * one of its kind (exec/noexec, ro/rw…), a later key=value replaces the key.
 */
export function mergeTmpfsOptions(options: string[]): string[] {
  const opposite: Record<string, string> = {
    exec: 'noexec', noexec: 'exec', suid: 'nosuid', nosuid: 'suid', dev: 'nodev', nodev: 'dev', ro: 'rw', rw: 'ro',
    atime: 'noatime', noatime: 'atime', diratime: 'nodiratime', nodiratime: 'diratime',
  };
  const out: string[] = [];
  const seenKeys = new Set<string>();
  const seenFlags = new Set<string>();
  for (let i = options.length - 1; i >= 0; i--) {
    const o = options[i]!.trim();
    if (!o) continue;
    const eq = o.indexOf('=');
    if (eq > 0) {
      const key = o.slice(0, eq);
      if (seenKeys.has(key)) continue;
      seenKeys.add(key);
    } else {
      if (seenFlags.has(o) || (opposite[o] && seenFlags.has(opposite[o]!))) continue;
      seenFlags.add(o);
    }
    out.unshift(o);
  }
  return out;
}
