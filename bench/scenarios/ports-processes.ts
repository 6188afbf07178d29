import { ensureImage, removeContainers, runDetached } from '../container-commands.js';
import { engineProcesses } from '../engine-processes.js';
import type { CliEngine } from '../engines.js';
import { describeProcesses, listProcesses, type ProcessInfo } from '../process-table.js';
import { measureEach, onePerDaemon, type BenchContext, type Scenario } from '../scenario.js';

const PORTS = 10;
const FIRST_PORT = 18500;
const SETTLE_MS = 1000;

/** The engine's processes that appeared while one `run -d` with these flags ran (the container's own included). */
async function processesAdded(e: CliEngine, image: string, flags: readonly string[]): Promise<ProcessInfo[]> {
  const before = new Set(listProcesses().map((p) => p.pid));
  const id = await runDetached(e, [...flags, image, 'sleep', '300']);
  try {
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    return engineProcesses(e, listProcesses(), [id]).filter((p) => !before.has(p.pid));
  } finally {
    await removeContainers(e, [id]);
  }
}

async function measure(ctx: BenchContext, e: CliEngine): Promise<void> {
  await ensureImage(e, ctx.images.busybox);
  const plain = await processesAdded(e, ctx.images.busybox, []);
  const ports = Array.from({ length: PORTS }, (_, i) => ['-p', `127.0.0.1:${FIRST_PORT + i}:80`]).flat();
  const published = await processesAdded(e, ctx.images.busybox, ports);
  const extra = published.length - plain.length;
  ctx.results.add({
    scenario: 'ports-processes',
    case: `added by ${PORTS} ports`,
    engine: e.id,
    unit: 'processes',
    samples: [extra],
    goal: e.family === 'berth' ? '0' : undefined,
    note: `container alone: ${describeProcesses(plain) || 'none'}; with ${PORTS} ports: ${describeProcesses(published) || 'none'}`,
  });
}

export const portsProcesses: Scenario = {
  name: 'ports-processes',
  images: ['busybox'],
  measures: `processes the engine adds for ${PORTS} published ports: (processes after \`run -d\` with ${PORTS} \`-p\`) − (after \`run -d\` with none)`,
  async run(ctx: BenchContext): Promise<void> {
    await measureEach(ctx, 'ports-processes', onePerDaemon(ctx.engines.cli), (e) => measure(ctx, e));
  },
};
