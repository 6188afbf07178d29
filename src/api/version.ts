import { InvalidArgumentError } from '../common/errors.js';

export const API_VERSION = '1.51';
export const MIN_API_VERSION = '1.24';
export const BERTH_VERSION = '0.1.0';

/** Compares dotted API versions numerically: -1, 0 or 1. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

export function versionAtLeast(v: string, min: string): boolean {
  return compareVersions(v, min) >= 0;
}

/** Splits `/v1.41/containers/json` into the version and the rest; checks the range like dockerd. */
export function negotiatePath(path: string): { version: string; path: string } {
  const m = /^\/v([^/]+)(\/.*)$/.exec(path);
  if (!m) return { version: API_VERSION, path };
  const version = m[1]!;
  if (!/^\d+(\.\d+)*$/.test(version)) return { version: API_VERSION, path };
  if (compareVersions(version, MIN_API_VERSION) < 0) {
    throw new InvalidArgumentError(
      `client version ${version} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`,
    );
  }
  if (compareVersions(version, API_VERSION) > 0) {
    throw new InvalidArgumentError(
      `client version ${version} is too new. Maximum supported API version is ${API_VERSION}`,
    );
  }
  return { version, path: m[2]! };
}
