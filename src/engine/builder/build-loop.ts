import { rmSync } from 'node:fs';
import { InvalidArgumentError } from '../../common/errors.js';
import { cacheSources } from './build-cache.js';
import { planBuild } from './build-plan.js';
import { BuildError, shortId, type BuilderDeps, type BuildMessage, type BuildOptions, type BuildState } from './build-types.js';
import { envMap } from './build-vars.js';
import { dispatch, expandArgs } from './dispatch-table.js';
import type { Instruction } from './dockerfile.js';

// Docker's classic builder: each step runs on the image of the step before. RUN starts a container
// and commits its changes, COPY/ADD write files into a created container and commit them, the other
// instructions only change the config (an image without a new layer). Every step's image is a real
// (untagged) image whose parent is the step before, so a later build of the same Dockerfile finds
// its steps again ("Using cache"). The loop only drives the dispatch table.

/** Build args Docker predefines: accepted without an ARG and never reported as unused. */
const PREDEFINED_ARGS = new Set(['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy']);

export async function runBuild(d: BuilderDeps, context: string, o: BuildOptions, emit: (m: BuildMessage) => void): Promise<string> {
  // With q, the steps' output is kept back, and sent only if the build fails (as dockerd does).
  const held: string[] = [];
  const say = (text: string) => {
    if (o.quiet) held.push(text);
    else emit({ stream: text });
  };
  const plan = planBuild(context, o);
  const b: BuildState = { d, o, context, escape: plan.escape, stages: [], metaArgs: {}, usedArgs: new Set(), cacheScope: cacheSources(d.images, o), say, emit, cleanups: [] };
  try {
    await runSteps(b, plan.instructions);
    return finish(b);
  } catch (err) {
    for (const text of held) emit({ stream: text });
    throw err;
  } finally {
    for (const dir of b.cleanups) rmSync(dir, { recursive: true, force: true });
  }
}

async function runSteps(b: BuildState, instructions: Instruction[]): Promise<void> {
  for (const [n, ins] of instructions.entries()) {
    if (b.o.signal?.aborted) throw new BuildError('context canceled');
    // FROM sees only the ARGs declared before the first FROM, in every stage.
    const vars = b.stage && ins.cmd !== 'FROM' ? { ...envMap(b.stage.config.Env), ...b.stage.args } : b.metaArgs;
    const args = expandArgs(ins, vars, b.escape);
    b.say(`Step ${n + 1}/${instructions.length} : ${ins.original}\n`);
    await dispatch(b, { ins, args, escape: b.escape });
  }
}

/** The last stage's image: reported, tagged, and the build args nobody declared warned of. */
function finish(b: BuildState): string {
  const { d, o, say } = b;
  if (!b.stage) throw new InvalidArgumentError('no build stage in current context');
  if (b.stage.scratch) throw new InvalidArgumentError('No image was generated. Is your Dockerfile empty?');
  const id = b.stage.image.id;
  b.emit({ aux: { ID: id } });
  const unused = Object.keys(o.buildArgs)
    .filter((k) => !b.usedArgs.has(k) && !PREDEFINED_ARGS.has(k))
    .sort();
  if (unused.length) say(`[Warning] One or more build-args [${unused.join(' ')}] were not consumed\n`);
  say(`Successfully built ${shortId(id)}\n`);
  for (const t of o.tags) {
    d.images.tag(id, t);
    say(`Successfully tagged ${t}\n`);
  }
  if (o.quiet) b.emit({ stream: `${id}\n` });
  return id;
}
