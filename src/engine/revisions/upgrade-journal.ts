import type { RevisionRepository } from '../../store/revision-repository.js';

/**
 * An upgrade (or rollback) in flight, written to the store before each step, so a berthd killed
 * mid-way can finish it (once the gate passed) or undo it (before that): afterwards exactly one
 * container has the name.
 */
export interface UpgradeJournal {
  lineage: string;
  kind: 'upgrade' | 'rollback';
  /** The line's name, without the slash. */
  name: string;
  order: 'stop-first' | 'start-first';
  oldId: string;
  oldRevision: number;
  oldWasRunning: boolean;
  /** The name the old container waits under until the new one passed. */
  asideName?: string;
  /** The name the new container is created under: the line's name. */
  newName: string;
  newId?: string;
  /** The new revision (upgrade) or the one rolled back to. */
  newRevision: number;
  step: 'prepared' | 'old-stopped' | 'old-aside' | 'new-created' | 'new-started' | 'passed';
  started: string;
}

/** Every step lands in the store before it is taken. */
export function writeStep(repo: RevisionRepository, j: UpgradeJournal, step: UpgradeJournal['step'], patch: Partial<UpgradeJournal> = {}): void {
  Object.assign(j, patch, { step });
  repo.putUpgrade(j.lineage, j);
}

/** The revision rows once the new container passed (or was kept with --no-rollback). */
export function recordPassed(repo: RevisionRepository, j: UpgradeJournal, kept?: { reason: string; logs: string }): void {
  const now = new Date().toISOString();
  const rows = repo.ofLineage(j.lineage);
  repo.transaction(() => {
    const old = rows.find((r) => r.revision === j.oldRevision);
    if (old) repo.update({ ...old, state: j.kind === 'rollback' ? 'rolled-back' : 'replaced', ended: now });
    const next = rows.find((r) => r.revision === j.newRevision);
    if (next) {
      repo.update({ ...next, containerId: j.newId ?? null, name: j.name, state: 'current', reason: kept?.reason ?? null, logs: kept?.logs ?? null, ended: null });
    }
    repo.removeUpgrade(j.lineage);
  });
}

/** The revision rows after the new container failed and the old one is back. */
export function recordFailed(repo: RevisionRepository, j: UpgradeJournal, reason: string, logs: string): void {
  const now = new Date().toISOString();
  const rows = repo.ofLineage(j.lineage);
  repo.transaction(() => {
    const next = rows.find((r) => r.revision === j.newRevision);
    if (next && j.kind === 'upgrade') repo.update({ ...next, containerId: j.newId ?? null, state: 'failed', reason, logs, ended: now });
    // A failed rollback leaves the revision it aimed at as it was, with the reason noted.
    if (next && j.kind === 'rollback') repo.update({ ...next, reason, logs });
    const old = rows.find((r) => r.revision === j.oldRevision);
    if (old) repo.update({ ...old, containerId: j.oldId, name: j.name, state: 'current', ended: null });
    repo.removeUpgrade(j.lineage);
  });
}
