import type { ContainerRecord, HealthConfig } from './container-model.js';

/** One probe's outcome, as Docker keeps it in State.Health.Log. */
export interface HealthProbe {
  Start: string;
  End: string;
  ExitCode: number;
  Output: string;
}

/** Runs a health command inside a running container (the exec machinery, without a session). */
export type HealthProbeRunner = (c: ContainerRecord, argv: string[], timeoutMs: number) => Promise<{ exitCode: number; output: string }>;

const SECOND = 1e9;
const DEFAULTS = { Interval: 30 * SECOND, Timeout: 30 * SECOND, StartPeriod: 0, StartInterval: 5 * SECOND, Retries: 3 };
const KEEP_LOG = 5;

/** The probe command of a Healthcheck, or undefined when there is none (or NONE). */
export function probeCommand(hc: HealthConfig | undefined | null): string[] | undefined {
  const test = hc?.Test as string[] | undefined;
  if (!test?.length || test[0] === 'NONE') return undefined;
  if (test[0] === 'CMD') return test.slice(1);
  if (test[0] === 'CMD-SHELL') return ['/bin/sh', '-c', test.slice(1).join(' ')];
  return test;
}

/**
 * Docker's health checks: a probe every Interval (StartInterval during the start period), a
 * failure counts once the start period is over, Retries failures in a row make it unhealthy.
 */
export class HealthMonitor {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly runProbe: HealthProbeRunner,
    /** Saves the record and emits `health_status: …` when the status changed. */
    private readonly changed: (c: ContainerRecord, statusChanged: boolean) => void,
  ) {}

  start(c: ContainerRecord): void {
    this.stop(c.Id);
    const argv = probeCommand(c.Config.Healthcheck);
    if (!argv) return;
    const hc = { ...DEFAULTS, ...Object.fromEntries(Object.entries(c.Config.Healthcheck ?? {}).filter(([, v]) => v)) };
    const startedAt = Date.now();
    c.State.Health = { Status: 'starting', FailingStreak: 0, Log: [] };
    const inStartPeriod = () => Date.now() - startedAt < hc.StartPeriod / 1e6;
    const schedule = () => {
      const every = inStartPeriod() && c.State.Health?.Status === 'starting' ? hc.StartInterval : hc.Interval;
      this.timers.set(c.Id, setTimeout(() => void probe(), every / 1e6));
    };
    const probe = async () => {
      if (!c.State.Running || !this.timers.has(c.Id)) return;
      const start = new Date();
      let result: { exitCode: number; output: string };
      try {
        result = await this.runProbe(c, argv, hc.Timeout / 1e6);
      } catch (err) {
        result = { exitCode: -1, output: (err as Error).message };
      }
      if (!this.timers.has(c.Id) || !c.State.Health) return;
      const health = c.State.Health;
      const before = health.Status;
      health.Log = [...health.Log, { Start: start.toISOString(), End: new Date().toISOString(), ExitCode: result.exitCode, Output: result.output }].slice(-KEEP_LOG);
      if (result.exitCode === 0) {
        health.Status = 'healthy';
        health.FailingStreak = 0;
      } else if (!(inStartPeriod() && before === 'starting')) {
        health.FailingStreak++;
        if (health.FailingStreak >= hc.Retries) health.Status = 'unhealthy';
      }
      this.changed(c, before !== health.Status);
      schedule();
    };
    schedule();
  }

  stop(id: string): void {
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
  }
}
