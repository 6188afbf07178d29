import type { BuildState, Stage } from './build-types.js';
import type { Instruction } from './dockerfile.js';

/** One instruction to dispatch: as parsed, its arguments after variable expansion, the escape character in force. */
export interface StepInput {
  ins: Instruction;
  args: string;
  /** The Dockerfile's, or `\` for an ONBUILD trigger. */
  escape: string;
}

/** A handler of the build as a whole (FROM, ARG). */
export type Dispatcher = (b: BuildState, step: StepInput) => Promise<void>;

/** A handler of a step of the current stage. */
export type StageDispatcher = (b: BuildState, s: Stage, step: StepInput) => Promise<void>;
