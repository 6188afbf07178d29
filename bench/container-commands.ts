import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CONTAINER_TIMEOUT_MS, mustRun, runCommand } from './command.js';
import type { CliEngine } from './engines.js';

/** Every container the bench creates carries this label, so a sweep can find leftovers. */
export const BENCH_LABEL = 'berth-bench=1';

/** argv for `<cli> run <flags> …` with the bench label. */
export function runArgv(e: CliEngine, args: readonly string[]): string[] {
  return [...e.cli, 'run', ...e.runFlags, '--label', BENCH_LABEL, ...args];
}

/** Makes sure the image is present, pulling it if not (untimed). */
export async function ensureImage(e: CliEngine, ref: string): Promise<void> {
  const has = await runCommand([...e.cli, 'image', 'inspect', ref]);
  if (has.code !== 0) await mustRun([...e.cli, 'pull', ...e.pullFlags, ref]);
}

/** Throws unless `image inspect` finds the image (after a pull: the pull really made it). */
export async function checkImage(e: CliEngine, ref: string): Promise<void> {
  await mustRun([...e.cli, 'image', 'inspect', ref]);
}

/** Removes the image (its layers go with it when nothing else uses them) and dangling leftovers; checks it is gone. */
export async function removeImage(e: CliEngine, ref: string): Promise<void> {
  // By id with -f: every tag of the image goes (by name, another tag such as `nginx` would keep it).
  const id = await runCommand([...e.cli, 'image', 'inspect', '-f', '{{.Id}}', ref]);
  if (id.code === 0) await mustRun([...e.cli, 'rmi', '-f', id.stdout.trim()]);
  // Best effort: an engine without prune still had its image removed above.
  await runCommand([...e.cli, 'image', 'prune', '-f'], { timeoutMs: CONTAINER_TIMEOUT_MS });
  const still = await runCommand([...e.cli, 'image', 'inspect', ref]);
  if (still.code === 0) throw new Error(`${ref} is still present after rmi`);
}

/** `run -d …`; resolves with the container id the CLI printed. */
export async function runDetached(e: CliEngine, args: readonly string[]): Promise<string> {
  const r = await mustRun(runArgv(e, ['-d', ...args]), { timeoutMs: CONTAINER_TIMEOUT_MS });
  const id = r.stdout.trim().split('\n').pop()?.trim() ?? '';
  if (!/^[0-9a-f]{12,64}$/.test(id)) throw new Error(`run -d printed no container id: ${r.stdout.trim().slice(0, 200)}`);
  return id;
}

export async function removeContainers(e: CliEngine, ids: readonly string[]): Promise<void> {
  if (ids.length) await mustRun([...e.cli, 'rm', '-f', ...ids], { timeoutMs: CONTAINER_TIMEOUT_MS });
}

/** Removes every container with the bench label (leftovers of an interrupted run); best effort. */
export async function sweepBenchContainers(e: CliEngine): Promise<void> {
  const r = await runCommand([...e.cli, 'ps', '-aq', '--filter', `label=${BENCH_LABEL}`], { timeoutMs: CONTAINER_TIMEOUT_MS });
  const ids = r.code === 0 ? r.stdout.split('\n').map((s) => s.trim()).filter(Boolean) : [];
  if (ids.length) await runCommand([...e.cli, 'rm', '-f', ...ids], { timeoutMs: CONTAINER_TIMEOUT_MS });
}

/**
 * The layer blobs of `digests` that berthd still keeps after `rmi` (content/blobs/sha256/<hex> under its
 * data root, as drawn in ARCHITECTURE.md). Docker and Podman are trusted to drop unused layers.
 */
export async function berthBlobsLeft(e: CliEngine, digests: readonly string[]): Promise<string[]> {
  if (e.family !== 'berth') return [];
  const root = (await mustRun([...e.cli, 'info', '--format', '{{.DockerRootDir}}'])).stdout.trim();
  if (!root) return [];
  return digests.filter((d) => existsSync(join(root, 'content/blobs/sha256', d.replace(/^sha256:/, ''))));
}
