import { durationMs } from '../duration-param.js';
import { InvalidArgumentError, errorMessage } from '../../common/errors.js';
import type { Progress } from '../../engine/revisions/ports.js';
import type { Outcome, ReplaceOptions } from '../../engine/revisions/upgrade-runner.js';
import type { RevisionRow } from '../../store/revision-repository.js';
import type { RequestContext } from '../request-context.js';
import type { Router } from '../router.js';
import { NdjsonStream } from '../streams/ndjson.js';

// berth's own API (Docker clients never call it): container revisions, upgrade, rollback.

export interface RevisionsBackend {
  revisions: {
    list(ref: string): RevisionRow[];
    upgrade(ref: string, o: ReplaceOptions & { image?: string; force?: boolean }, progress: Progress): Promise<Outcome>;
    rollback(ref: string, o: ReplaceOptions & { to?: number }, progress: Progress): Promise<Outcome>;
  };
}

/** A revision as the API shows it. */
function revisionView(r: RevisionRow) {
  return {
    Revision: r.revision,
    State: r.state,
    ContainerID: r.containerId ?? '',
    Name: r.name,
    Image: r.imageRef,
    ImageID: r.imageId,
    RepoDigest: r.repoDigest ?? '',
    Created: r.created,
    Ended: r.ended ?? '',
    Reason: r.reason ?? '',
    Logs: r.logs ?? '',
    Config: r.request.Config ?? {},
    HostConfig: r.request.HostConfig ?? {},
    NetworkingConfig: r.request.NetworkingConfig ?? {},
  };
}


function replaceOptions(ctx: RequestContext): ReplaceOptions {
  const order = ctx.str('order') || undefined;
  if (order && order !== 'stop-first' && order !== 'start-first') throw new InvalidArgumentError(`invalid order "${order}": use stop-first or start-first`);
  return {
    order: order as ReplaceOptions['order'],
    healthTimeoutMs: durationMs(ctx, 'healthTimeout'),
    waitMs: durationMs(ctx, 'wait'),
    probe: ctx.str('probe') || undefined,
    noRollback: ctx.bool('noRollback'),
    dryRun: ctx.bool('dryRun'),
  };
}

/** Streams progress as NDJSON (like a pull) and ends with {status, result, revision, reason}. */
async function streamed(ctx: RequestContext, run: (p: Progress) => Promise<Outcome>): Promise<void> {
  let out: NdjsonStream | undefined;
  const stream = (): NdjsonStream => {
    ctx.handled = true;
    return (out ??= new NdjsonStream(ctx.res!));
  };
  try {
    const o = await run((m) => stream().write(m));
    stream().write({ status: statusLine(o), result: o.result, revision: o.revision, reason: o.reason, id: o.containerId });
  } catch (err) {
    // Refused before anything happened (no such container, bad option): a plain HTTP error.
    if (!out) throw err;
    out.writeError(errorMessage(err));
  }
  out?.end();
}

function statusLine(o: Outcome): string {
  switch (o.result) {
    case 'up-to-date':
      return 'already up to date';
    case 'upgraded':
      return `upgraded to revision ${o.revision}`;
    case 'kept-failed':
      return `revision ${o.revision} failed the health gate and was left running: ${o.reason}`;
    case 'dry-run':
      return 'dry run: nothing changed';
    default:
      return o.reason ? `rolled back to revision ${o.revision}: ${o.reason}` : `rolled back to revision ${o.revision}`;
  }
}

export function registerRevisionRoutes(router: Router, b: RevisionsBackend): void {
  router.get('/berth/v1/containers/{name}/revisions', (ctx) => b.revisions.list(ctx.param('name')).map(revisionView));
  router.post('/berth/v1/containers/{name}/upgrade', (ctx) => {
    const o = { ...replaceOptions(ctx), image: ctx.str('image') || undefined, force: ctx.bool('force') };
    return streamed(ctx, (p) => b.revisions.upgrade(ctx.param('name'), o, p));
  });
  router.post('/berth/v1/containers/{name}/rollback', (ctx) => {
    const to = ctx.int('to');
    if (to !== undefined && to < 1) throw new InvalidArgumentError(`invalid revision: ${to}`);
    const o = { ...replaceOptions(ctx), to };
    return streamed(ctx, (p) => b.revisions.rollback(ctx.param('name'), o, p));
  });
}
