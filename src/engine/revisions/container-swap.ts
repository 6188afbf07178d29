import { errorMessage, NotModifiedError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { RevisionRepository } from '../../store/revision-repository.js';
import type { ContainerRecord } from '../containers/container-model.js';
import type { LogReader } from '../containers/ports.js';
import { passGate, type GateOptions } from './health-gate.js';
import type { CreateBody, Progress, RevisionContainers } from './ports.js';
import { recordFailed, recordPassed, writeStep, type UpgradeJournal } from './upgrade-journal.js';

export interface SwapDeps {
  repo: RevisionRepository;
  containers: RevisionContainers;
  readLogs: LogReader;
  logger: Logger;
}

export type SwapOutcome = { ok: true; kept?: string } | { ok: false; reason: string };

/** How many log lines of a failed container are kept with its revision. */
export const FAILED_LOG_LINES = 50;

/**
 * Replaces the line's container with one made from `body`, through the health gate. The old one
 * waits under another name (stopped with stop-first, still serving with start-first), so putting it
 * back is a rename and at most a start.
 */
export async function swapContainer(
  d: SwapDeps,
  j: UpgradeJournal,
  body: CreateBody,
  gate: GateOptions,
  o: { noRollback?: boolean },
  progress: Progress,
): Promise<SwapOutcome> {
  const fail = async (reason: string): Promise<SwapOutcome> => {
    const logs = await failedLogs(d, j);
    if (o.noRollback && j.newId && tryGet(d, j.newId)) {
      progress({ status: `Gate failed (${reason}); --no-rollback: leaving the new container for inspection` });
      await finishSwap(d, j, { reason, logs });
      return { ok: true, kept: reason };
    }
    progress({ status: `Rolling back: ${reason}` });
    await undoSwap(d, j, reason, logs);
    return { ok: false, reason };
  };
  if (j.order === 'stop-first' && j.oldWasRunning) {
    writeStep(d.repo, j, 'old-stopped');
    progress({ status: `Stopping ${j.oldId.slice(0, 12)}` });
    await stopQuietly(d, j.oldId);
  }
  // Both orders park the old container under another name, so the new one is created (and
  // registered in DNS) under the real name; start-first keeps the old one serving meanwhile.
  writeStep(d.repo, j, 'old-aside');
  d.containers.rename(j.oldId, j.asideName!);
  try {
    progress({ status: `Creating the new container` });
    const { Id } = await d.containers.create({ name: j.newName, body });
    writeStep(d.repo, j, 'new-created', { newId: Id });
  } catch (err) {
    return fail(`create failed: ${errorMessage(err)}`);
  }
  if (j.oldWasRunning) {
    try {
      progress({ status: `Starting ${j.newId!.slice(0, 12)}` });
      await d.containers.start(j.newId!);
      writeStep(d.repo, j, 'new-started');
    } catch (err) {
      return fail(`start failed: ${errorMessage(err)}`);
    }
    const result = await passGate(() => d.containers.get(j.newId!), gate, progress);
    if (!result.ok) return fail(result.reason);
    progress({ status: `The new container passed the health gate` });
  }
  await finishSwap(d, j);
  return { ok: true };
}

/** After the gate: the old container goes, the new one takes the name. Also what recovery does past the gate. */
export async function finishSwap(d: SwapDeps, j: UpgradeJournal, kept?: { reason: string; logs: string }): Promise<void> {
  writeStep(d.repo, j, 'passed');
  const old = tryGet(d, j.oldId);
  if (old) {
    // start-first: the old one still serves; it gets its stop signal and timeout like any stop.
    if (old.State.Running) await stopQuietly(d, old.Id);
    await d.containers.remove(old.Id, { force: true });
  }
  const next = j.newId ? tryGet(d, j.newId) : undefined;
  if (next) {
    if (next.Name !== `/${j.name}`) d.containers.rename(next.Id, j.name);
    if (j.oldWasRunning && !next.State.Running && !kept) await d.containers.start(next.Id).catch((err) => d.logger.warn({ err }, 'starting the upgraded container'));
  }
  recordPassed(d.repo, j, kept);
}

/** Before the gate passed: the new container goes, the old one gets its name back and runs again. */
export async function undoSwap(d: SwapDeps, j: UpgradeJournal, reason: string, logs: string): Promise<void> {
  const next = j.newId ? tryGet(d, j.newId) : tryGet(d, j.newName);
  if (next && next.Id !== j.oldId) {
    await d.containers.remove(next.Id, { force: true }).catch((err) => d.logger.warn({ err, id: next.Id }, 'removing the failed container'));
  }
  const old = tryGet(d, j.oldId);
  if (old) {
    if (old.Name !== `/${j.name}`) d.containers.rename(old.Id, j.name);
    if (j.oldWasRunning && !old.State.Running) await d.containers.start(old.Id);
  } else {
    d.logger.error({ id: j.oldId, name: j.name }, 'the container to roll back to is gone');
  }
  recordFailed(d.repo, j, reason, logs);
}

async function stopQuietly(d: SwapDeps, id: string): Promise<void> {
  await d.containers.stop(id).catch((err) => {
    if (!(err instanceof NotModifiedError)) throw err;
  });
}

async function failedLogs(d: SwapDeps, j: UpgradeJournal): Promise<string> {
  const c = j.newId ? tryGet(d, j.newId) : undefined;
  if (!c) return '';
  const lines: string[] = [];
  try {
    for await (const e of d.readLogs(c.LogPath, { tail: FAILED_LOG_LINES })) lines.push(e.line.toString('utf8').replace(/\n$/, ''));
  } catch (err) {
    d.logger.debug({ err }, 'reading the failed container logs');
  }
  return lines.slice(-FAILED_LOG_LINES).join('\n');
}

function tryGet(d: SwapDeps, ref: string): ContainerRecord | undefined {
  try {
    return d.containers.get(ref);
  } catch {
    return undefined;
  }
}
