import { readdirSync, rmSync } from 'node:fs';
import type { Logger } from '../../common/logger.js';
import type { BerthPaths } from '../../common/paths.js';

export interface ContainerLeftoverDeps {
  paths: BerthPaths;
  /** Whether berth still has a record of this container. */
  known: (id: string) => boolean;
  /** Unmounts and deletes the container's overlay upper/work/merged. */
  removeLayer: (id: string) => Promise<void>;
  /** Deletes it from the OCI runtime (killing what still runs), its cgroups and run dir. */
  runtimeCleanup: (id: string) => Promise<void>;
  logger: Logger;
}

const ID = /^[0-9a-f]{64}$/;

function ids(dir: string): string[] {
  try {
    return readdirSync(dir).filter((n) => ID.test(n));
  } catch {
    return [];
  }
}

/**
 * At start-up: what a crash left of containers berth no longer knows (a removal cut short, a lost
 * record): overlay dirs and their mounts, runtime state, cgroups, run dirs. Logged with what went.
 * Network namespaces and veths are the network service's reconcile.
 */
export async function removeContainerLeftovers(d: ContainerLeftoverDeps): Promise<string[]> {
  const dataDir = d.paths.containerDir('x').slice(0, -2);
  const runDir = d.paths.containerRunDir('x').slice(0, -2);
  const orphans = [...new Set([...ids(dataDir), ...ids(runDir)])].filter((id) => !d.known(id));
  for (const id of orphans) {
    await d.runtimeCleanup(id).catch((err) => d.logger.warn({ err, id }, 'runtime leftovers'));
    await d.removeLayer(id).catch((err) => d.logger.warn({ err, id }, 'overlay leftovers'));
    rmSync(d.paths.containerDir(id), { recursive: true, force: true });
    rmSync(d.paths.containerRunDir(id), { recursive: true, force: true });
  }
  if (orphans.length) d.logger.info({ removed: orphans }, 'removed leftovers of containers that no longer exist');
  return orphans;
}
