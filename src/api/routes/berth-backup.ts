import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidArgumentError } from '../../common/errors.js';
import type { RequestContext } from '../request-context.js';
import type { Router } from '../router.js';
import { reply } from '../server.js';

// berth's own backup endpoints: volume export/import, container backup, restore, scheduled
// backup files. Archives stream both ways; an error after the first byte cuts the response
// short (the client sees a truncated body, and restore refuses truncated archives).

export type Consistency = 'pause' | 'stop' | 'live';

export interface BackupRequest {
  image: boolean;
  rootfs: boolean;
  consistency: Consistency;
}

export interface RestoreRequest {
  name?: string;
  start: boolean;
  replaceVolumes: boolean;
}

export interface BackupFileView {
  Path: string;
  Container: string;
  Created: string;
  Size: number;
}

/** What the backup routes need from the engine. */
export interface BackupBackend {
  exportVolume(name: string): Readable;
  importVolume(name: string, body: Readable): Promise<void>;
  backup(ref: string, req: BackupRequest): Promise<Readable>;
  restore(body: Readable, req: RestoreRequest): Promise<{ Id: string; Name: string; Warnings: string[]; CreatedVolumes: string[]; CreatedNetworks: string[] }>;
  listBackups(): BackupFileView[];
  pruneBackups(): Promise<{ Removed: string[] }>;
}

async function streamOut(ctx: RequestContext, body: Readable, type: string): Promise<void> {
  ctx.handled = true;
  const res = ctx.res!;
  res.writeHead(200, { 'Content-Type': type });
  res.on('close', () => body.destroy());
  // A failure mid-way ends the connection without the last chunk: the client sees it cut short.
  await pipeline(body, res).catch(() => res.destroy());
}

/** A boolean query parameter that, if present, must be a boolean. */
function flag(ctx: RequestContext, name: string, dflt: boolean): boolean {
  const v = ctx.str(name);
  if (v === undefined || v === '') return dflt;
  if (!/^(1|0|true|false)$/i.test(v)) throw new InvalidArgumentError(`invalid value for ${name}: ${JSON.stringify(v)} (want true or false)`);
  return /^(1|true)$/i.test(v);
}

function consistency(ctx: RequestContext): Consistency {
  const v = ctx.str('consistency') || 'pause';
  if (v !== 'pause' && v !== 'stop' && v !== 'live') throw new InvalidArgumentError(`invalid consistency ${JSON.stringify(v)}: want pause, stop or live`);
  return v;
}

export function registerBackupRoutes(router: Router, b: BackupBackend): void {
  router.get('/berth/v1/volumes/{name}/export', async (ctx) => {
    await streamOut(ctx, b.exportVolume(ctx.param('name')), 'application/x-tar');
  });

  router.post('/berth/v1/volumes/{name}/import', async (ctx) => {
    await b.importVolume(ctx.param('name'), ctx.req);
    reply(ctx, 204);
  });

  router.get('/berth/v1/containers/{name}/backup', async (ctx) => {
    const req: BackupRequest = { image: flag(ctx, 'image', true), rootfs: flag(ctx, 'rootfs', true), consistency: consistency(ctx) };
    await streamOut(ctx, await b.backup(ctx.param('name'), req), 'application/zstd');
  });

  router.post('/berth/v1/restore', async (ctx) => {
    const name = ctx.str('name');
    if (name !== undefined && !/^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) throw new InvalidArgumentError(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    const r = await b.restore(ctx.req, { name: name || undefined, start: flag(ctx, 'start', false), replaceVolumes: flag(ctx, 'replaceVolumes', false) });
    reply(ctx, 201, r);
  });

  router.get('/berth/v1/backups', () => b.listBackups());

  router.post('/berth/v1/backups/prune', () => b.pruneBackups());
}
