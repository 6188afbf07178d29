import type { ContainerRecord } from '../containers/container-model.js';
import { runProbe, type AppProbe } from './app-probe.js';
import type { Progress } from './ports.js';

export interface GateOptions {
  /** How long an image with a HEALTHCHECK has to become healthy (after its start period). */
  healthTimeoutMs: number;
  /** How long one without a healthcheck has to stay running without restarting. */
  waitMs: number;
  probe?: AppProbe;
  /** How often the container is looked at; short in tests. */
  pollMs?: number;
}

export type GateResult = { ok: true } | { ok: false; reason: string };

export function hasHealthcheck(c: ContainerRecord): boolean {
  const test = c.Config.Healthcheck?.Test as string[] | undefined;
  return !!test?.length && test[0] !== 'NONE';
}

/** The container's address on its first network with one (what --probe is checked against). */
export function containerAddress(c: ContainerRecord): string | undefined {
  const ns: { IPAddress?: string; Networks?: Record<string, { IPAddress?: string } | null> | null } = c.NetworkSettings ?? {};
  if (ns.IPAddress) return ns.IPAddress;
  for (const n of Object.values(ns.Networks ?? {})) if (n?.IPAddress) return n.IPAddress;
  return undefined;
}

/**
 * The health gate an upgraded container must pass: healthy (with a healthcheck) or running without a
 * restart for the wait (without one), and the probe answering, before the deadline. Fails at once
 * on exit, restart or unhealthy.
 */
export async function passGate(lookup: () => ContainerRecord, o: GateOptions, progress: Progress): Promise<GateResult> {
  const poll = o.pollMs ?? 200;
  const first = lookup();
  const started = Date.now();
  const startedAt = first.State.StartedAt;
  const restarts = first.RestartCount;
  const withHealth = hasHealthcheck(first);
  const startPeriodMs = withHealth ? Number(first.Config.Healthcheck?.StartPeriod ?? 0) / 1e6 : 0;
  const conditionDeadline = started + (withHealth ? startPeriodMs + o.healthTimeoutMs : o.waitMs);
  const deadline = Math.max(conditionDeadline, o.probe ? started + startPeriodMs + o.healthTimeoutMs : 0);
  progress({ status: withHealth ? `Waiting for the container to become healthy` : `Waiting ${o.waitMs / 1000}s for the container to keep running` });
  let probeOk = !o.probe;
  let probeError = '';
  for (;;) {
    let c: ContainerRecord;
    try {
      c = lookup();
    } catch {
      return { ok: false, reason: 'the container was removed' };
    }
    if (c.RestartCount !== restarts || c.State.Restarting || c.State.StartedAt !== startedAt) {
      return { ok: false, reason: `restart loop: the container restarted (exit code ${c.State.ExitCode})` };
    }
    if (!c.State.Running) {
      return { ok: false, reason: `the container exited with code ${c.State.ExitCode}${c.State.Error ? `: ${c.State.Error}` : ''}` };
    }
    let conditionOk: boolean;
    if (withHealth) {
      const h = c.State.Health;
      if (h?.Status === 'unhealthy') return { ok: false, reason: `unhealthy${lastHealthOutput(c)}` };
      conditionOk = h?.Status === 'healthy';
    } else {
      conditionOk = Date.now() >= conditionDeadline;
    }
    if (!probeOk && o.probe) {
      const address = containerAddress(c);
      if (address) {
        try {
          await runProbe(o.probe, address);
          probeOk = true;
          progress({ status: `Probe ${o.probe.text} answered` });
        } catch (err) {
          probeError = (err as Error).message;
        }
      } else {
        probeError = 'the container has no address to probe';
      }
    }
    if (conditionOk && probeOk) return { ok: true };
    if (Date.now() >= deadline) {
      if (!conditionOk) return { ok: false, reason: `timed out after ${Math.round((deadline - started) / 1000)}s waiting for the container to become healthy` };
      return { ok: false, reason: `probe ${o.probe!.text} failing: ${probeError}` };
    }
    await new Promise((r) => setTimeout(r, poll));
  }
}

function lastHealthOutput(c: ContainerRecord): string {
  const log = (c.State.Health?.Log ?? []) as { Output?: string; ExitCode?: number }[];
  const last = log[log.length - 1];
  const out = last?.Output?.trim();
  const streak = c.State.Health?.FailingStreak ?? 0;
  const what = `: the healthcheck failed ${streak} time${streak === 1 ? '' : 's'}${last?.ExitCode !== undefined ? ` (exit code ${last.ExitCode})` : ''}`;
  return out ? `${what}: ${out.split('\n').slice(-1)[0]}` : what;
}
