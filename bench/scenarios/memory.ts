import { containerMonitors, daemonPid, daemonTree } from '../engine-processes.js';
import { ensureImage, removeContainers } from '../container-commands.js';
import type { CliEngine } from '../engines.js';
import { describeProcesses, listProcesses, totalRssMiB, type ProcessInfo } from '../process-table.js';
import { measureEach, onePerDaemon, type BenchContext, type Scenario } from '../scenario.js';
import { checkRunning, CONTAINER_COUNT, startSleepers } from './run-twenty.js';

const SETTLE_MS = 2000;

/** The daemon's processes plus the containers' monitors, without the containers' own processes. */
function footprint(e: CliEngine, ids: readonly string[]): ProcessInfo[] {
  const table = listProcesses();
  const mine = new Map<number, ProcessInfo>();
  for (const p of [...daemonTree(e, table), ...containerMonitors(table, ids)]) mine.set(p.pid, p);
  return [...mine.values()];
}

async function measure(ctx: BenchContext, e: CliEngine): Promise<void> {
  await ensureImage(e, ctx.images.busybox);
  if (e.family !== 'podman' && daemonPid(e, listProcesses()) === undefined) throw new Error('daemon process not found');
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const idle = footprint(e, []);
  const ids = await startSleepers(e, ctx.images.busybox, CONTAINER_COUNT, true);
  let busy: ProcessInfo[];
  try {
    await checkRunning(e, ids);
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    busy = footprint(e, ids);
  } finally {
    await removeContainers(e, ids);
  }
  const monitors = containerMonitors(busy, ids).length;
  if (monitors < CONTAINER_COUNT) ctx.log(`  ${e.id}: only ${monitors} container monitors found for ${CONTAINER_COUNT} containers`);
  const idleMiB = totalRssMiB(idle);
  const busyMiB = totalRssMiB(busy);
  const add = (kase: string, value: number, note: string, goal?: string): void =>
    ctx.results.add({ scenario: 'memory', case: kase, engine: e.id, unit: 'MiB', samples: [value], note, goal: e.family === 'berth' ? goal : undefined });
  add('daemon idle', idleMiB, describeProcesses(idle, true) || 'no daemon', '≤ 45 MiB');
  add(`with ${CONTAINER_COUNT} containers`, busyMiB, describeProcesses(busy, true));
  add('per container', (busyMiB - idleMiB) / CONTAINER_COUNT, `(with ${CONTAINER_COUNT} − idle) / ${CONTAINER_COUNT}`, '≈ 2 MiB (conmon)');
}

export const memory: Scenario = {
  name: 'memory',
  images: ['busybox'],
  measures: `VmRSS of the daemon(s) idle and with ${CONTAINER_COUNT} \`sleep 300\` containers (berthd + conmons; dockerd + containerd + shims; podman's conmons)`,
  async run(ctx: BenchContext): Promise<void> {
    await measureEach(ctx, 'memory', onePerDaemon(ctx.engines.cli), (e) => measure(ctx, e));
  },
};
