import { InvalidArgumentError, NotFoundError } from '../../common/errors.js';
import type { Descriptor } from './media-types.js';

// Platforms (os/arch[/variant]) and the choice of a manifest from an index.

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

const NODE_ARCH: Record<string, Platform> = {
  x64: { os: 'linux', architecture: 'amd64' },
  arm64: { os: 'linux', architecture: 'arm64', variant: 'v8' },
  arm: { os: 'linux', architecture: 'arm', variant: 'v7' },
  ia32: { os: 'linux', architecture: '386' },
  ppc64: { os: 'linux', architecture: 'ppc64le' },
  s390x: { os: 'linux', architecture: 's390x' },
  riscv64: { os: 'linux', architecture: 'riscv64' },
};

export function hostPlatform(): Platform {
  return NODE_ARCH[process.arch] ?? { os: 'linux', architecture: process.arch };
}

/** Parses `os[/arch[/variant]]` as Docker's --platform, normalising common aliases. */
export function parsePlatform(text: string): Platform {
  const parts = text.toLowerCase().split('/');
  if (parts.length > 3 || parts.some((p) => p === '')) {
    throw new InvalidArgumentError(`"${text}": unknown operating system or architecture: invalid argument`);
  }
  const host = hostPlatform();
  const os = parts[0]!;
  let architecture = parts[1] ?? host.architecture;
  let variant = parts[2];
  if (architecture === 'x86_64' || architecture === 'x86-64') architecture = 'amd64';
  if (architecture === 'aarch64') architecture = 'arm64';
  if (architecture === 'arm64' && (variant === undefined || variant === '8')) variant = 'v8';
  if (architecture === 'arm' && variant === undefined) variant = 'v7';
  if (variant && /^\d+$/.test(variant)) variant = 'v' + variant;
  return variant ? { os, architecture, variant } : { os, architecture };
}

export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

export function platformMatches(want: Platform, have: Partial<Platform> | undefined): boolean {
  if (!have || have.os !== want.os || have.architecture !== want.architecture) return false;
  if (!want.variant) return true;
  const v = have.variant ?? (have.architecture === 'arm64' ? 'v8' : undefined);
  return v === want.variant;
}

/** The manifest of an index for a platform, as Docker picks it. */
export function selectManifest(manifests: Descriptor[], want: Platform): Descriptor {
  const found = manifests.find((m) => platformMatches(want, m.platform));
  if (!found) throw new NotFoundError(`no matching manifest for ${formatPlatform(want)} in the manifest list entries`);
  return found;
}
