import { mustRun } from '../command.js';
import { berthBlobsLeft, checkImage, ensureImage, removeImage } from '../container-commands.js';
import type { EngineId } from '../engines.js';
import { curlTarSeconds } from '../pull-floor.js';
import { layerDigests } from '../registry-layers.js';
import type { BenchImages } from '../scenario.js';
import { alternate, type BenchContext, type Scenario } from '../scenario.js';

function pullScenario(image: keyof BenchImages, iterations: number, quickIterations: number): Scenario {
  const name = `pull-${image}`;
  return {
    name,
    images: [image],
    measures: `\`pull\` of ${image} from the local registry 127.0.0.1:5000 after \`rmi\` + \`image prune\` (no layer left)`,
    async run(ctx: BenchContext): Promise<void> {
      const ref = ctx.images[image];
      const layers = await layerDigests(`library/${image}`);
      const warm = new Map<EngineId, number>();
      await alternate(ctx, ctx.engines.cli, {
        scenario: name,
        case: 'pull',
        iterations: ctx.quick ? quickIterations : iterations,
        goals: { berth: '≤ 0.4 × Docker', 'docker-cli-berth': '≤ 0.4 × Docker' },
        warmup: (e) => ensureImage(e, ref),
        noteFor: (e) => (warm.has(e.id) ? `layers not downloaded: rmi + prune left them in the content store (${warm.get(e.id)} samples)` : undefined),
        sample: async (e) => {
          await removeImage(e, ref);
          // A pull that finds its layers still on disk is not a pull: say so beside the number.
          if ((await berthBlobsLeft(e, layers)).length) warm.set(e.id, (warm.get(e.id) ?? 0) + 1);
          const { seconds } = await mustRun([...e.cli, 'pull', ...e.pullFlags, ref]);
          await checkImage(e, ref);
          return seconds;
        },
      });
      if (!ctx.engines.cli.some((e) => e.family === 'berth')) return;
      const floor: number[] = [];
      for (let i = 0; i < (ctx.quick ? quickIterations : iterations); i++) floor.push(await curlTarSeconds(`library/${image}`, layers));
      ctx.results.add({ scenario: name, case: 'curl | tar -xz, same layers at once (floor)', engine: 'berth', unit: 's', samples: floor, note: 'no digest check, no layer records' });
    },
  };
}

export const pullNginx = pullScenario('nginx', 3, 1);
export const pullBusybox = pullScenario('busybox', 5, 2);
