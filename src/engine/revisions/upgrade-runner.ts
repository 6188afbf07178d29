import { randomBytes } from 'node:crypto';
import { ConflictError, InvalidArgumentError, NotFoundError, errorMessage } from '../../common/errors.js';
import type { RevisionRow } from '../../store/revision-repository.js';
import type { ContainerRecord } from '../containers/container-model.js';
import type { ImageRecord } from '../images/image-views.js';
import { parseProbe } from './app-probe.js';
import { finishSwap, swapContainer, undoSwap, type SwapOutcome } from './container-swap.js';
import type { GateOptions } from './health-gate.js';
import type { CreateBody, Progress, RevisionDeps, UpgradeMessage } from './ports.js';
import { recreateBody } from './recreate-request.js';
import { repoDigestOf, RevisionBook, storedRequest, type CreateRequestParts } from './revision-book.js';
import { writeStep, type UpgradeJournal } from './upgrade-journal.js';

export interface ReplaceOptions {
  order?: 'stop-first' | 'start-first';
  healthTimeoutMs?: number;
  waitMs?: number;
  probe?: string;
  noRollback?: boolean;
  dryRun?: boolean;
}

export interface UpgradeOptions extends ReplaceOptions {
  image?: string;
  force?: boolean;
}

export interface RollbackOptions extends ReplaceOptions {
  to?: number;
}

/** How an upgrade or rollback ended; the API sends it as the stream's last message. */
export interface Outcome {
  result: 'up-to-date' | 'upgraded' | 'rolled-back' | 'kept-failed' | 'dry-run';
  revision: number;
  reason?: string;
  containerId: string;
}

const DEFAULT_HEALTH_TIMEOUT_MS = 120_000;
const DEFAULT_WAIT_MS = 10_000;

/** `berth upgrade` and `berth rollback`: plan, pull, swap through the gate, record, announce. */
export class UpgradeRunner {
  private readonly busy = new Set<string>();

  constructor(
    private readonly d: RevisionDeps,
    private readonly book: RevisionBook,
  ) {}

  async upgrade(ref: string, o: UpgradeOptions, progress: Progress): Promise<Outcome> {
    const c = this.d.containers.get(ref);
    const lineage = this.book.lineageOf(c);
    const gate = precheck(c, o, 'upgrade');
    return this.exclusive(lineage, c, async () => {
      const cur = this.book.current(lineage);
      const refText = o.image || cur.imageRef;
      const img = await this.fetchImage(refText, progress);
      if (img.id === c.Image && !o.force) {
        progress({ status: `Image is up to date for ${refText}` });
        return { result: 'up-to-date', revision: cur.revision, containerId: c.Id };
      }
      const revision = Math.max(...this.book.revisions(lineage).map((r) => r.revision)) + 1;
      const stored = storedRequest(cur.request);
      const request: CreateRequestParts = {
        ...stored,
        Config: { ...stored.Config, Image: refText },
        NetworkingConfig: { EndpointsConfig: c.endpointsConfig ?? {} },
      };
      const body = recreateBody(request, c, refText);
      if (o.dryRun) return this.dryRun(c, cur, `upgrade to ${refText} (${img.id.slice(7, 19)}) as revision ${revision}`, o, progress);
      this.d.repo.insert({
        lineage,
        revision,
        containerId: null,
        name: c.Name.slice(1),
        imageRef: refText,
        imageId: img.id,
        repoDigest: repoDigestOf(img, refText),
        request,
        created: new Date().toISOString(),
        state: 'pending',
        reason: null,
        logs: null,
        ended: null,
      });
      return this.replace('upgrade', c, cur, revision, body, gate, o, progress);
    });
  }

  async rollback(ref: string, o: RollbackOptions, progress: Progress): Promise<Outcome> {
    const c = this.d.containers.get(ref);
    const lineage = this.book.lineageOf(c);
    const gate = precheck(c, o, 'rollback');
    return this.exclusive(lineage, c, async () => {
      const rows = this.book.revisions(lineage);
      const cur = this.book.current(lineage);
      let target: RevisionRow | undefined;
      if (o.to !== undefined) {
        target = rows.find((r) => r.revision === o.to);
        if (!target) throw new NotFoundError(`container ${c.Name.slice(1)} has no revision ${o.to}`);
        if (target.revision === cur.revision) throw new InvalidArgumentError(`container ${c.Name.slice(1)} already runs revision ${o.to}`);
      } else {
        // The revision before the current one, never forward again; failed ones never ran well.
        target = rows.find((r) => r.revision < cur.revision && r.state !== 'failed' && r.state !== 'pending');
        if (!target) throw new InvalidArgumentError(`container ${c.Name.slice(1)} has no earlier revision to roll back to`);
      }
      let img: ImageRecord;
      try {
        img = this.d.images.getImage(target.imageId);
      } catch {
        throw new NotFoundError(`the image of revision ${target.revision} (${target.imageId.slice(7, 19)}) is no longer here`);
      }
      // The reference as given while it still names that image; its id once the tag moved on.
      let image = img.id;
      try {
        if (this.d.images.getImage(target.imageRef).id === img.id) image = target.imageRef;
      } catch {
        // tag gone: the id it is
      }
      const body = recreateBody(storedRequest(target.request), c, image);
      progress({ status: `Rolling back to revision ${target.revision} (${target.imageRef})` });
      if (o.dryRun) return this.dryRun(c, cur, `roll back to revision ${target.revision} (${target.imageRef})`, o, progress);
      return this.replace('rollback', c, cur, target.revision, body, gate, o, progress);
    });
  }

  /** Finishes or undoes what a killed berthd left mid-way: past the gate forward, before it back. */
  async recover(): Promise<void> {
    for (const j of this.d.repo.allUpgrades<UpgradeJournal>()) {
      const deps = this.swapDeps();
      try {
        if (j.step === 'passed') {
          await finishSwap(deps, j);
          this.d.logger.info({ name: j.name, revision: j.newRevision }, `finished the ${j.kind} interrupted by a restart`);
          this.announce(j.kind, j.newId ?? j.oldId, j.name, j.newRevision, {});
        } else {
          await undoSwap(deps, j, `berthd stopped during the ${j.kind} (at ${j.step})`, '');
          this.d.logger.warn({ name: j.name, revision: j.oldRevision, step: j.step }, `undid the ${j.kind} interrupted by a restart`);
          this.announce('rollback', j.oldId, j.name, j.oldRevision, { reason: 'interrupted' });
        }
      } catch (err) {
        this.d.logger.error({ err, name: j.name }, `recovering an interrupted ${j.kind}`);
      }
    }
  }

  private async replace(
    kind: 'upgrade' | 'rollback',
    c: ContainerRecord,
    cur: RevisionRow,
    newRevision: number,
    body: CreateBody,
    gate: GateOptions,
    o: ReplaceOptions,
    progress: Progress,
  ): Promise<Outcome> {
    const order = o.order ?? 'stop-first';
    const name = c.Name.slice(1);
    const tag = randomBytes(3).toString('hex');
    const j: UpgradeJournal = {
      lineage: cur.lineage,
      kind,
      name,
      order,
      oldId: c.Id,
      oldRevision: cur.revision,
      oldWasRunning: c.State.Running || c.State.Restarting,
      asideName: `${name}-berth-old-${tag}`,
      newName: name,
      newRevision,
      step: 'prepared',
      started: new Date().toISOString(),
    };
    writeStep(this.d.repo, j, 'prepared');
    this.d.logger.info({ name, from: cur.revision, to: newRevision, order }, `${kind} started`);
    let outcome: SwapOutcome;
    try {
      outcome = await swapContainer(this.swapDeps(), j, body, gate, { noRollback: o.noRollback }, progress);
    } catch (err) {
      // Something unforeseen mid-way: put the old container back rather than leave neither.
      const reason = `${kind} failed: ${errorMessage(err)}`;
      await undoSwap(this.swapDeps(), j, reason, '').catch((e) => this.d.logger.error({ err: e, name }, 'undoing a failed swap'));
      outcome = { ok: false, reason };
    }
    this.book.trim(cur.lineage);
    if (outcome.ok) {
      const result = outcome.kept ? 'kept-failed' : kind === 'upgrade' ? 'upgraded' : 'rolled-back';
      this.d.logger.info({ name, revision: newRevision, result, reason: outcome.kept }, `${kind} done`);
      this.announce(kind, j.newId!, name, newRevision, outcome.kept ? { reason: outcome.kept } : {});
      return { result, revision: newRevision, reason: outcome.kept, containerId: j.newId! };
    }
    this.d.logger.warn({ name, revision: cur.revision, reason: outcome.reason }, `${kind} rolled back`);
    this.announce('rollback', j.oldId, name, cur.revision, { reason: outcome.reason, failedRevision: String(newRevision) });
    return { result: 'rolled-back', revision: cur.revision, reason: outcome.reason, containerId: j.oldId };
  }

  private dryRun(c: ContainerRecord, cur: RevisionRow, what: string, o: ReplaceOptions, progress: Progress): Outcome {
    const order = o.order ?? 'stop-first';
    progress({ status: `Dry run: would ${what} of ${c.Name.slice(1)} (now revision ${cur.revision}), ${order}` });
    return { result: 'dry-run', revision: cur.revision, containerId: c.Id };
  }

  /** Pulls the reference (a local-only image, e.g. one built here, is used as it is) and checks it resolves. */
  private async fetchImage(ref: string, progress: Progress): Promise<ImageRecord> {
    if (!/^(sha256:)?[a-f0-9]{12,64}$/.test(ref)) {
      progress({ status: `Pulling ${ref}` });
      try {
        await this.d.images.pull(ref, {}, (m) => progress(m));
      } catch (err) {
        let local: ImageRecord | undefined;
        try {
          local = this.d.images.getImage(ref);
        } catch {
          local = undefined;
        }
        if (!local) throw err;
        progress({ status: `Pull failed (${errorMessage(err)}); using the local image` });
      }
    }
    const img = this.d.images.getImage(ref);
    if (!img.config?.rootfs && !img.layers) throw new InvalidArgumentError(`image ${ref} is incomplete`);
    progress({ status: `Image ${ref} is ${img.id}` });
    return img;
  }

  private async exclusive<T>(lineage: string, c: ContainerRecord, fn: () => Promise<T>): Promise<T> {
    if (this.busy.has(lineage) || this.d.repo.getUpgrade(lineage)) {
      throw new ConflictError(`an upgrade or rollback of ${c.Name.slice(1)} is already in progress`);
    }
    this.busy.add(lineage);
    try {
      return await fn();
    } finally {
      this.busy.delete(lineage);
    }
  }

  private swapDeps() {
    return { repo: this.d.repo, containers: this.d.containers, readLogs: this.d.readLogs, logger: this.d.logger };
  }

  private announce(action: string, id: string, name: string, revision: number, extra: Record<string, string>): void {
    let attrs: Record<string, string> = {};
    try {
      const c = this.d.containers.get(id);
      attrs = { ...(c.Config.Labels ?? {}), image: c.Config.Image };
    } catch {
      // gone: name and revision say enough
    }
    this.d.events.emit({ Type: 'container', Action: action, Actor: { ID: id, Attributes: { ...attrs, name, revision: String(revision), ...extra } } });
  }
}

/** What is refused before anything is touched; the gate the new container must pass. */
function precheck(c: ContainerRecord, o: ReplaceOptions, kind: string): GateOptions {
  if ((o.order ?? 'stop-first') === 'start-first') assertStartFirst(c);
  if (o.order && o.order !== 'stop-first' && o.order !== 'start-first') throw new InvalidArgumentError(`invalid order "${o.order}": use stop-first or start-first`);
  if (c.HostConfig.AutoRemove) throw new InvalidArgumentError(`cannot ${kind} ${c.Name.slice(1)}: it was started with --rm`);
  return {
    healthTimeoutMs: o.healthTimeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS,
    waitMs: o.waitMs ?? DEFAULT_WAIT_MS,
    probe: o.probe ? parseProbe(o.probe) : undefined,
  };
}

/** start-first runs both containers at once: a fixed host port or address cannot be shared. */
function assertStartFirst(c: ContainerRecord): void {
  for (const [port, binds] of Object.entries((c.HostConfig.PortBindings ?? {}) as Record<string, { HostPort?: string }[] | null>)) {
    if ((binds ?? []).some((b) => b.HostPort && b.HostPort !== '0')) {
      throw new InvalidArgumentError(`--order start-first needs no fixed host port, but ${port} is published on ${binds!.map((b) => b.HostPort).join(',')}: use stop-first`);
    }
  }
  const endpoints: Record<string, { IPAMConfig?: { IPv4Address?: string; IPv6Address?: string } | null } | null> = c.endpointsConfig ?? {};
  for (const [net, ep] of Object.entries(endpoints)) {
    if (ep?.IPAMConfig?.IPv4Address || ep?.IPAMConfig?.IPv6Address) throw new InvalidArgumentError(`--order start-first cannot share the static address on ${net}: use stop-first`);
  }
}

export type { UpgradeMessage };
