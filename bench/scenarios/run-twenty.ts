import { mustRun } from '../command.js';
import { ensureImage, removeContainers, runDetached } from '../container-commands.js';
import type { CliEngine } from '../engines.js';
import { alternate, type BenchContext, type Scenario } from '../scenario.js';

export const CONTAINER_COUNT = 20;

/** Starts `count` busybox sleepers one by one or all at once; resolves with their ids in start order. */
export async function startSleepers(e: CliEngine, image: string, count: number, parallel: boolean): Promise<string[]> {
  const one = (): Promise<string> => runDetached(e, [image, 'sleep', '300']);
  if (parallel) {
    const settled = await Promise.allSettled(Array.from({ length: count }, one));
    const ids = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) {
      await removeContainers(e, ids).catch(() => undefined);
      throw failed.reason;
    }
    return ids;
  }
  const ids: string[] = [];
  try {
    for (let i = 0; i < count; i++) ids.push(await one());
  } catch (err) {
    await removeContainers(e, ids).catch(() => undefined);
    throw err;
  }
  return ids;
}

/** Throws unless every id is listed as running by `ps`. */
export async function checkRunning(e: CliEngine, ids: readonly string[]): Promise<void> {
  const listed = new Set((await mustRun([...e.cli, 'ps', '-q', '--no-trunc'])).stdout.split('\n').map((s) => s.trim()));
  const missing = ids.filter((id) => ![...listed].some((l) => l.length >= 12 && (id.startsWith(l) || l.startsWith(id))));
  if (missing.length) throw new Error(`${missing.length} of ${ids.length} containers not running after run -d`);
}

function runTwentyScenario(parallel: boolean): Scenario {
  const name = parallel ? 'run-20-par' : 'run-20-seq';
  return {
    name,
    images: ['busybox'],
    measures: `${CONTAINER_COUNT} \`run -d busybox sleep 300\` ${parallel ? 'all at once' : 'one after another'}, until every CLI has returned (containers running); removal untimed`,
    async run(ctx: BenchContext): Promise<void> {
      await alternate(ctx, ctx.engines.cli, {
        scenario: name,
        case: `${CONTAINER_COUNT} × run -d`,
        iterations: ctx.quick ? 1 : 2,
        warmup: (e) => ensureImage(e, ctx.images.busybox),
        sample: async (e) => {
          const start = process.hrtime.bigint();
          const ids = await startSleepers(e, ctx.images.busybox, CONTAINER_COUNT, parallel);
          const seconds = Number(process.hrtime.bigint() - start) / 1e9;
          try {
            await checkRunning(e, ids);
          } finally {
            await removeContainers(e, ids);
          }
          return seconds;
        },
      });
    },
  };
}

export const runTwentySeq = runTwentyScenario(false);
export const runTwentyPar = runTwentyScenario(true);
