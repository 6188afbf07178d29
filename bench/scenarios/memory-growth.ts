import { CONTAINER_TIMEOUT_MS, mustRun } from '../command.js';
import { ensureImage, runArgv } from '../container-commands.js';
import { daemonTree } from '../engine-processes.js';
import type { CliEngine } from '../engines.js';
import { describeProcesses, listProcesses, totalRssMiB } from '../process-table.js';
import { measureEach, onePerDaemon, type BenchContext, type Scenario } from '../scenario.js';

// Whether the daemon gives back what a container took: its RSS fresh from the bench's start, then
// after 100 and after N `run --rm` in all (--rm-runs). Growth that does not level off is a leak.

const SETTLE_MS = 2000;

async function measure(ctx: BenchContext, e: CliEngine): Promise<void> {
  await ensureImage(e, ctx.images.busybox);
  const rss = async (): Promise<{ mib: number; note: string }> => {
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const tree = daemonTree(e, listProcesses());
    if (!tree.length) throw new Error('daemon process not found');
    return { mib: totalRssMiB(tree), note: describeProcesses(tree, true) };
  };
  const add = (kase: string, r: { mib: number; note: string }, goal?: string): void =>
    ctx.results.add({ scenario: 'memory-growth', case: kase, engine: e.id, unit: 'MiB', samples: [r.mib], note: r.note, goal: e.family === 'berth' ? goal : undefined });
  add('daemon before', await rss());
  let done = 0;
  for (const target of ctx.rmRuns) {
    const t = Date.now();
    for (; done < target; done++) await mustRun(runArgv(e, ['--rm', ctx.images.busybox, 'true']), { timeoutMs: CONTAINER_TIMEOUT_MS });
    ctx.log(`  ${e.id}: ${target} run --rm in all (${((Date.now() - t) / 1000).toFixed(0)} s)`);
    add(`after ${target} run --rm`, await rss(), '≤ 55 MiB, flat');
  }
}

export const memoryGrowth: Scenario = {
  name: 'memory-growth',
  images: ['busybox'],
  measures: 'VmRSS of the daemon and its helpers before, and after 100 and N `run --rm busybox true` (--rm-runs)',
  async run(ctx: BenchContext): Promise<void> {
    await measureEach(ctx, 'memory-growth', onePerDaemon(ctx.engines.cli), (e) => measure(ctx, e));
  },
};
