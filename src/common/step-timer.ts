import type { Logger } from './logger.js';

// Where one operation's time goes, as one debug line per operation: {op, id, steps: {step: ms}, ms}.
// `berthd --log-level debug` then shows which steps of create/start/exit/remove are berth's own.

export interface StepTimer {
  /** Ends the step that ran since the previous mark (or the start) under this name. */
  mark(step: string): void;
  /** Logs the steps; a timer is done once. */
  done(): void;
}

const NOOP: StepTimer = { mark: () => undefined, done: () => undefined };

export function stepTimer(logger: Logger, op: string, id: string): StepTimer {
  if (!logger.isLevelEnabled('debug')) return NOOP;
  const start = performance.now();
  let last = start;
  const steps: Record<string, number> = {};
  const ms = (from: number, to: number): number => Math.round((to - from) * 10) / 10;
  return {
    mark(step) {
      const now = performance.now();
      steps[step] = ms(last, now);
      last = now;
    },
    done() {
      logger.debug({ op, id, steps, ms: ms(start, performance.now()) }, 'timing');
    },
  };
}
