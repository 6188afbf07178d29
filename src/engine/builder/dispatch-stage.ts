import { InvalidArgumentError, NotFoundError } from '../../common/errors.js';
import type { ContainerConfig } from '../images/image-config-changes.js';
import type { ImageRecord } from '../images/image-views.js';
import { metaStep } from './build-step.js';
import { DEFAULT_SHELL, shortId, type BuildState, type Stage } from './build-types.js';
import { splitArgs } from './build-vars.js';
import type { StepInput } from './dispatch-types.js';

// FROM and ARG: the instructions that act on the build as a whole (which stage is current, which
// build args are in force) rather than on one stage's image.

/** ARG: before the first FROM a meta arg for every FROM; in a stage an arg of that stage and a step of its own. */
export async function dispatchArg(b: BuildState, { args }: StepInput): Promise<void> {
  const declared = splitArgs(args);
  const s = b.stage;
  for (const [name, def] of declared) {
    const value = name in b.o.buildArgs && b.o.buildArgs[name] !== null ? b.o.buildArgs[name]! : def;
    b.usedArgs.add(name);
    if (!s) {
      if (value !== undefined) b.metaArgs[name] = value;
    } else if (value !== undefined) s.args[name] = value;
    else if (name in b.metaArgs) s.args[name] = b.metaArgs[name]!;
  }
  if (!s) return;
  // The history names each ARG with its Dockerfile default, never the value given.
  const text = declared.map(([k, v]) => (v === undefined ? k : `${k}=${v}`)).join(' ');
  await metaStep(b, s, s.config, `${s.shell.join(' ')} #(nop)  ARG ${text}`);
}

/** FROM's new stage, on a previous stage, scratch, a local image or one pulled; with the base image's ONBUILD triggers. */
export async function beginStage(b: BuildState, { ins, args }: StepInput): Promise<{ stage: Stage; triggers: string[] }> {
  // dockerd reports each stage's image as the stage ends.
  if (b.stage && !b.stage.scratch) b.emit({ aux: { ID: b.stage.image.id } });
  const m = /^(\S+)(?:\s+as\s+(\S+))?$/i.exec(args.trim());
  if (!m) throw new InvalidArgumentError(`FROM requires either one or three arguments`);
  const ref = m[1]!;
  const previous = b.stages.find((s) => s.name && s.name.toLowerCase() === ref.toLowerCase());
  const scratch = !previous && ref.toLowerCase() === 'scratch';
  const image = previous ? previous.image : scratch ? b.d.images.scratch() : await baseImage(b, ref, ins.flags.platform);
  if (!scratch) b.say(` ---> ${shortId(image.id)}\n`);
  const config = structuredClone(image.config.config ?? {}) as ContainerConfig;
  // ONBUILD triggers of the base image run first, as in Docker; the new image does not keep them.
  const triggers = (config.OnBuild as string[] | null | undefined) ?? [];
  if (triggers.length) config.OnBuild = null;
  const shell = (config.Shell as string[] | undefined) ?? DEFAULT_SHELL;
  return { stage: { name: m[2], image, scratch, config, args: {}, shell, cmdSet: false }, triggers };
}

/** The local image, unless `pull` asks for a fresh one or there is none. */
async function baseImage(b: BuildState, ref: string, platform: string | undefined): Promise<ImageRecord> {
  const { d, o } = b;
  if (!o.pull) {
    try {
      return d.images.getImage(ref);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
  }
  return d.images.pull(ref, platform ?? o.platform, (p) => !o.quiet && b.emit(p));
}
