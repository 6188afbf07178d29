import { existsSync } from 'node:fs';

// A container's log on disk: the live file PATH, and rotated ones PATH.1 (newest) … PATH.N, each
// possibly gzipped (PATH.1.gz). Shared by the rotator, which writes this layout, and the reader.

export interface RotatedFile {
  path: string;
  gzip: boolean;
}

/** The rotated files of a log, oldest first (the live file is not included). */
export function rotatedLogFiles(path: string, upTo = 64): RotatedFile[] {
  const out: RotatedFile[] = [];
  for (let n = 1; n <= upTo; n++) {
    const plain = `${path}.${n}`;
    // Just after compression both may exist for a moment: they hold the same lines.
    if (existsSync(plain)) out.push({ path: plain, gzip: false });
    else if (existsSync(`${plain}.gz`)) out.push({ path: `${plain}.gz`, gzip: true });
    else break;
  }
  return out.reverse();
}

const rotationCounts = new Map<string, number>();

/** Counts a rotation of PATH; called in the same synchronous step as the renames. */
export function noteRotation(path: string): void {
  rotationCounts.set(path, (rotationCounts.get(path) ?? 0) + 1);
}

/** How often PATH was rotated by this process: a follower learns how many files it has to catch up on. */
export function rotations(path: string): number {
  return rotationCounts.get(path) ?? 0;
}

export function forgetRotations(path: string): void {
  rotationCounts.delete(path);
}

/** PATH.n as it is now, plain or gzipped, if it exists. */
export function rotatedLogFile(path: string, n: number): RotatedFile | undefined {
  if (existsSync(`${path}.${n}`)) return { path: `${path}.${n}`, gzip: false };
  if (existsSync(`${path}.${n}.gz`)) return { path: `${path}.${n}.gz`, gzip: true };
  return undefined;
}
