import { existsSync, lstatSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError } from '../../common/errors.js';
import { ignoredBy } from '../../common/path-glob.js';
import type { BuildOptions } from './build-types.js';
import { parseDockerfile, type Instruction } from './dockerfile.js';

// What a build will run: the Dockerfile read from the context and checked as dockerd checks it
// before the first step, cut at the target stage, with the build's labels as a last step.

export interface BuildPlan {
  escape: string;
  instructions: Instruction[];
}

export function planBuild(context: string, o: BuildOptions): BuildPlan {
  const dfPath = join(context, o.dockerfile);
  if (!existsSync(dfPath) || !lstatSync(dfPath).isFile()) throw new InvalidArgumentError(`Cannot locate specified Dockerfile: ${o.dockerfile}`);
  const df = parseDockerfile(readFileSync(dfPath, 'utf8'));
  removeIgnoredBuildFiles(context, o.dockerfile);
  const first = df.instructions[0];
  if (!first) throw new InvalidArgumentError(`the Dockerfile (${o.dockerfile}) cannot be empty`);
  if (first.cmd !== 'FROM' && first.cmd !== 'ARG') throw new InvalidArgumentError('failed to process "' + first.original + '": no build stage in current context');
  const instructions = df.instructions.slice(0, targetEnd(df.instructions, o.target));
  if (Object.keys(o.labels).length) instructions.push(labelStep(o.labels));
  return { escape: df.escape, instructions };
}

/** The build ends with the target stage: what follows it is never run, nor counted in "Step n/N". */
function targetEnd(instructions: Instruction[], target: string | undefined): number {
  if (!target) return instructions.length;
  const want = target.toLowerCase();
  const at = instructions.findIndex((i) => i.cmd === 'FROM' && /\s+as\s+(\S+)$/i.exec(i.args)?.[1]?.toLowerCase() === want);
  if (at < 0) throw new InvalidArgumentError(`failed to reach build target ${target} in Dockerfile`);
  const next = instructions.findIndex((i, n) => n > at && i.cmd === 'FROM');
  return next >= 0 ? next : instructions.length;
}

/** The build's labels are one more step of the last stage built, as in Docker. */
function labelStep(labels: Record<string, string>): Instruction {
  const text = Object.entries(labels)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${JSON.stringify(k)}=${JSON.stringify(v)}`)
    .join(' ');
  return { cmd: 'LABEL', flags: {}, args: text, original: `LABEL ${text}`, line: 0 };
}

/**
 * dockerd's removeDockerfile: .dockerignore and the Dockerfile leave the context when .dockerignore
 * names them; docker-py's copy of a Dockerfile from outside the context (.dockerfile.<hex>) always.
 */
function removeIgnoredBuildFiles(context: string, dockerfile: string): void {
  const name = dockerfile.replace(/^\.?\/+/, '');
  if (/^\.dockerfile\.[0-9a-f]+$/.test(name)) rmSync(join(context, name), { force: true });
  const ignore = join(context, '.dockerignore');
  if (!existsSync(ignore)) return;
  const lines = readFileSync(ignore, 'utf8').split('\n');
  for (const f of [name, '.dockerignore']) if (ignoredBy(f, lines)) rmSync(join(context, f), { recursive: true, force: true });
}
