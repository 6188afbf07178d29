import { mustRun, runCommand } from './command.js';
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

/** Removes the image and dangling leftovers, and checks it is really gone. */
export async function removeImage(e: CliEngine, ref: string): Promise<void> {
  await runCommand([...e.cli, 'rmi', '-f', ref]);
  await runCommand([...e.cli, 'image', 'prune', '-f']);
  const still = await runCommand([...e.cli, 'image', 'inspect', ref]);
  if (still.code === 0) throw new Error(`${ref} is still present after rmi`);
}

/** `run -d …`; resolves with the container id the CLI printed. */
export async function runDetached(e: CliEngine, args: readonly string[]): Promise<string> {
  const r = await mustRun(runArgv(e, ['-d', ...args]));
  const id = r.stdout.trim().split('\n').pop()?.trim() ?? '';
  if (!/^[0-9a-f]{12,64}$/.test(id)) throw new Error(`run -d printed no container id: ${r.stdout.trim().slice(0, 200)}`);
  return id;
}

export async function removeContainers(e: CliEngine, ids: readonly string[]): Promise<void> {
  if (ids.length) await mustRun([...e.cli, 'rm', '-f', ...ids]);
}

/** Removes every container with the bench label (leftovers of an interrupted run); best effort. */
export async function sweepBenchContainers(e: CliEngine): Promise<void> {
  const r = await runCommand([...e.cli, 'ps', '-aq', '--filter', `label=${BENCH_LABEL}`]);
  const ids = r.code === 0 ? r.stdout.split('\n').map((s) => s.trim()).filter(Boolean) : [];
  if (ids.length) await runCommand([...e.cli, 'rm', '-f', ...ids]);
}
