import { InvalidArgumentError } from '../../common/errors.js';
import type { BuildState } from './build-types.js';
import { envMap } from './build-vars.js';
import { dispatchChange, dispatchCommand, dispatchHealthcheck, dispatchKeyValues, dispatchMaintainer, dispatchShell, dispatchVolume, dispatchWorkdir } from './dispatch-config.js';
import { dispatchCopy } from './dispatch-copy.js';
import { dispatchRun } from './dispatch-run.js';
import { beginStage, dispatchArg } from './dispatch-stage.js';
import type { Dispatcher, StageDispatcher, StepInput } from './dispatch-types.js';
import { expandVars, parseDockerfile, type Instruction } from './dockerfile.js';

// From instruction to handler, as moby's builder/dockerfile/evaluator.go dispatches: the build
// loop and ONBUILD triggers only look an instruction up here.

interface TableEntry {
  run: Dispatcher;
  /** Its arguments go through variable expansion first (Docker's replaceEnvAllowed). */
  expands: boolean;
}

/** A step of the current stage: an error before the first FROM. */
const onStage =
  (handler: StageDispatcher): Dispatcher =>
  (b, step) => {
    if (!b.stage) throw noStage(step.ins);
    return handler(b, b.stage, step);
  };

const noStage = (ins: Instruction) => new InvalidArgumentError(`failed to process "${ins.original}": no build stage in current context`);

const TABLE: Record<string, TableEntry> = {
  FROM: { run: dispatchFrom, expands: true },
  ARG: { run: dispatchArg, expands: true },
  RUN: { run: onStage(dispatchRun), expands: false },
  COPY: { run: onStage(dispatchCopy), expands: true },
  ADD: { run: onStage(dispatchCopy), expands: true },
  ENV: { run: onStage(dispatchKeyValues), expands: true },
  LABEL: { run: onStage(dispatchKeyValues), expands: true },
  WORKDIR: { run: onStage(dispatchWorkdir), expands: true },
  USER: { run: onStage(dispatchChange), expands: true },
  EXPOSE: { run: onStage(dispatchChange), expands: true },
  STOPSIGNAL: { run: onStage(dispatchChange), expands: true },
  ONBUILD: { run: onStage(dispatchChange), expands: false },
  VOLUME: { run: onStage(dispatchVolume), expands: true },
  CMD: { run: onStage(dispatchCommand), expands: false },
  ENTRYPOINT: { run: onStage(dispatchCommand), expands: false },
  HEALTHCHECK: { run: onStage(dispatchHealthcheck), expands: false },
  SHELL: { run: onStage(dispatchShell), expands: false },
  MAINTAINER: { run: onStage(dispatchMaintainer), expands: false },
};

/** The instruction's arguments with the variables in force expanded, if it is one that expands them. */
export function expandArgs(ins: Instruction, vars: Record<string, string>, escape: string): string {
  return TABLE[ins.cmd]?.expands ? expandVars(ins.args, vars, escape) : ins.args;
}

/** Runs one instruction's handler. */
export async function dispatch(b: BuildState, step: StepInput): Promise<void> {
  const entry = TABLE[step.ins.cmd];
  if (!entry) {
    if (!b.stage) throw noStage(step.ins);
    throw new InvalidArgumentError(`unknown instruction: ${step.ins.cmd}`);
  }
  await entry.run(b, step);
}

/** FROM: a new stage, which the base image's ONBUILD triggers build on first. */
async function dispatchFrom(b: BuildState, step: StepInput): Promise<void> {
  const { stage, triggers } = await beginStage(b, step);
  b.stage = stage;
  if (triggers.length) b.say(`# Executing ${triggers.length} build trigger${triggers.length > 1 ? 's' : ''}\n`);
  for (const trigger of triggers) {
    const ins = parseDockerfile(trigger).instructions[0];
    if (!ins) continue;
    if (['FROM', 'ONBUILD', 'MAINTAINER'].includes(ins.cmd)) throw new InvalidArgumentError(`${ins.cmd} isn't allowed as an ONBUILD trigger`);
    // A trigger sees the stage's environment and the ARGs a trigger before it declared, with the default escape character.
    const args = expandArgs(ins, { ...envMap(stage.config.Env), ...stage.args }, '\\');
    await dispatch(b, { ins, args, escape: '\\' });
  }
  b.stages.push(stage);
}
