import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from '../../../common/errors.js';
import type { OciSeccomp, OciSeccompSyscall } from '../../runtime/oci-spec.js';
import defaultProfile from './seccomp-default.json' with { type: 'json' };

// A profile in Docker's seccomp format (moby profiles/seccomp): rules carry includes/excludes
// conditions on capabilities and architectures that must be resolved before the runtime sees it.
// Our default (seccomp-default.json) is data taken from containers-common's profile, which tracks
// Docker's default.json; unknown syscalls fail with ENOSYS so newer libcs fall back gracefully.
interface Condition {
  caps?: string[];
  arches?: string[];
  minKernel?: string;
}

interface DockerSeccompRule extends OciSeccompSyscall {
  name?: string;
  includes?: Condition;
  excludes?: Condition;
  comment?: string;
}

export interface DockerSeccompProfile {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  archMap?: { architecture: string; subArchitectures?: string[] }[];
  syscalls?: DockerSeccompRule[];
  flags?: string[];
}

const NODE_TO_DOCKER_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: 'x86', ppc64: 'ppc64le', s390x: 's390x' };
const DOCKER_TO_SCMP: Record<string, string> = { amd64: 'SCMP_ARCH_X86_64', arm64: 'SCMP_ARCH_AARCH64', arm: 'SCMP_ARCH_ARM', x86: 'SCMP_ARCH_X86', ppc64le: 'SCMP_ARCH_PPC64LE', s390x: 'SCMP_ARCH_S390X' };

export function nativeArch(): string {
  return NODE_TO_DOCKER_ARCH[process.arch] ?? process.arch;
}

/** Resolves a Docker-format profile into OCI linux.seccomp for the granted capabilities and arch. */
export function resolveSeccompProfile(p: DockerSeccompProfile, caps: string[], arch = nativeArch()): OciSeccomp {
  const scmpArch = DOCKER_TO_SCMP[arch];
  let architectures = p.architectures ?? [];
  if (p.archMap) {
    const entry = p.archMap.find((a) => a.architecture === scmpArch);
    architectures = entry ? [entry.architecture, ...(entry.subArchitectures ?? [])] : [];
  }
  const syscalls: OciSeccompSyscall[] = [];
  for (const rule of p.syscalls ?? []) {
    const inc = rule.includes ?? {};
    const exc = rule.excludes ?? {};
    if (inc.arches?.length && !inc.arches.includes(arch)) continue;
    if (inc.caps?.length && !inc.caps.every((c) => caps.includes(c))) continue;
    if (exc.arches?.length && exc.arches.includes(arch)) continue;
    if (exc.caps?.length && exc.caps.some((c) => caps.includes(c))) continue;
    const names = rule.names?.length ? rule.names : rule.name ? [rule.name] : [];
    if (!names.length) continue;
    const out: OciSeccompSyscall = { names, action: rule.action };
    if (rule.errnoRet !== undefined) out.errnoRet = rule.errnoRet;
    if (rule.args?.length) out.args = rule.args.map((a) => ({ index: a.index, value: a.value, ...(a.valueTwo ? { valueTwo: a.valueTwo } : {}), op: a.op }));
    syscalls.push(out);
  }
  return {
    defaultAction: p.defaultAction,
    ...(p.defaultErrnoRet !== undefined ? { defaultErrnoRet: p.defaultErrnoRet } : {}),
    architectures,
    ...(p.flags?.length ? { flags: p.flags } : {}),
    syscalls,
  };
}

/** Docker's default profile, resolved for these capabilities. */
export function defaultSeccomp(caps: string[]): OciSeccomp {
  return resolveSeccompProfile(defaultProfile as DockerSeccompProfile, caps);
}

/**
 * The profile for `--security-opt seccomp=…`: undefined for unconfined, the default for
 * "builtin"/absent, else a JSON profile given inline (as the docker CLI sends it) or as a path.
 */
export function seccompFromOption(value: string | undefined, caps: string[]): OciSeccomp | undefined {
  if (value === undefined || value === '' || value === 'builtin') return defaultSeccomp(caps);
  if (value === 'unconfined') return undefined;
  let text = value;
  if (!value.trimStart().startsWith('{')) {
    try {
      text = readFileSync(value, 'utf8');
    } catch (err) {
      throw new InvalidArgumentError(`opening seccomp profile (${value}) failed: ${(err as Error).message}`);
    }
  }
  let parsed: DockerSeccompProfile;
  try {
    parsed = JSON.parse(text) as DockerSeccompProfile;
  } catch (err) {
    throw new InvalidArgumentError(`decoding seccomp profile failed: ${(err as Error).message}`);
  }
  return resolveSeccompProfile(parsed, caps);
}
