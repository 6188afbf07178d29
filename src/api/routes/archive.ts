import { pipeline } from 'node:stream/promises';
import { InvalidArgumentError } from '../../common/errors.js';
import type { ArchiveService } from '../../engine/containers/archive-service.js';
import { encodePathStat } from '../../common/archive/path-stat.js';
import { withTarErrors } from '../archive-errors.js';
import type { RequestContext } from '../request-context.js';
import type { Router } from '../router.js';

/** What the archive, export and changes routes need from the engine. */
export interface ArchiveBackend {
  archive: ArchiveService;
}

const STAT_HEADER = 'X-Docker-Container-Path-Stat';

function pathParam(ctx: RequestContext): string {
  const path = ctx.str('path');
  if (!path) throw new InvalidArgumentError('path cannot be empty');
  return path;
}

export function registerArchiveRoutes(router: Router, b: ArchiveBackend): void {
  const svc = b.archive;

  router.head('/containers/{name}/archive', async (ctx) => {
    const stat = await svc.stat(ctx.param('name'), pathParam(ctx));
    ctx.handled = true;
    ctx.res!.writeHead(200, { [STAT_HEADER]: encodePathStat(stat), 'Content-Type': 'application/json' }).end();
  });

  router.get('/containers/{name}/archive', async (ctx) => {
    const { stat, tar } = await svc.get(ctx.param('name'), pathParam(ctx));
    ctx.handled = true;
    const res = ctx.res!;
    res.writeHead(200, { [STAT_HEADER]: encodePathStat(stat), 'Content-Type': 'application/x-tar' });
    res.on('close', () => tar.destroy());
    await pipeline(tar, res).catch(() => res.destroy());
  });

  router.put('/containers/{name}/archive', async (ctx) => {
    await withTarErrors(() =>
      svc.put(ctx.param('name'), pathParam(ctx), ctx.req, {
        noOverwriteDirNonDir: ctx.bool('noOverwriteDirNonDir'),
        copyUIDGID: ctx.bool('copyUIDGID'),
      }),
    );
    ctx.handled = true;
    ctx.res!.writeHead(200, { 'Content-Length': 0 }).end();
  });

  router.get('/containers/{name}/export', async (ctx) => {
    const tar = await svc.export(ctx.param('name'));
    ctx.handled = true;
    const res = ctx.res!;
    res.writeHead(200, { 'Content-Type': 'application/x-tar' });
    res.on('close', () => tar.destroy());
    await pipeline(tar, res).catch(() => res.destroy());
  });

  // Docker answers null (a nil slice) when nothing changed.
  router.get('/containers/{name}/changes', (ctx) => {
    const changes = svc.changes(ctx.param('name'));
    return changes.length ? changes : null;
  });
}
