import { durationMs } from '../duration-param.js';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidArgumentError } from '../../common/errors.js';
import { MAX_NEGOTIATED_LAYERS } from '../../engine/backup/layer-negotiation.js';
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
  /** Diff IDs of image layers to leave out (what /berth/v1/images/have said the destination has). */
  omitLayers?: string[];
}

export interface RestoreRequest {
  name?: string;
  start: boolean;
  replaceVolumes: boolean;
  /** The health gate of upgrades, passed after the start (migrate asks for it). */
  gate?: { healthTimeoutMs?: number; waitMs?: number; probe?: string };
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
  /** The layer diff IDs among these that this daemon has. */
  haveLayers(diffIds: string[]): string[];
  /** Labels the source of a migration, stopped and kept, with where it went. */
  markMigrated(ref: string, destination: string): void;
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


/** gate=true with healthTimeout, wait and probe as `berth upgrade` takes them. */
function gate(ctx: RequestContext): RestoreRequest['gate'] {
  if (!flag(ctx, 'gate', false)) return undefined;
  return { healthTimeoutMs: durationMs(ctx, 'healthTimeout'), waitMs: durationMs(ctx, 'wait'), probe: ctx.str('probe') || undefined };
}

/** A comma-separated list of sha256 digests. */
function digestList(ctx: RequestContext, name: string): string[] | undefined {
  const v = ctx.str(name);
  if (v === undefined || v === '') return undefined;
  const list = v.split(',');
  if (list.length > MAX_NEGOTIATED_LAYERS) throw new InvalidArgumentError(`too many digests in ${name} (at most ${MAX_NEGOTIATED_LAYERS})`);
  const bad = list.find((d) => !/^sha256:[0-9a-f]{64}$/.test(d));
  if (bad !== undefined) throw new InvalidArgumentError(`invalid digest in ${name}: ${JSON.stringify(bad)}`);
  return list;
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
    const req: BackupRequest = { image: flag(ctx, 'image', true), rootfs: flag(ctx, 'rootfs', true), consistency: consistency(ctx), omitLayers: digestList(ctx, 'omitLayers') };
    await streamOut(ctx, await b.backup(ctx.param('name'), req), 'application/zstd');
  });

  router.post('/berth/v1/restore', async (ctx) => {
    const name = ctx.str('name');
    if (name !== undefined && !/^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) throw new InvalidArgumentError(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    const r = await b.restore(ctx.req, { name: name || undefined, start: flag(ctx, 'start', false), replaceVolumes: flag(ctx, 'replaceVolumes', false), gate: gate(ctx) });
    reply(ctx, 201, r);
  });

  // Migrate's layer negotiation: which of these layers (diff IDs) are here already.
  router.get('/berth/v1/images/have', (ctx) => ({ Have: b.haveLayers(digestList(ctx, 'digests') ?? []) }));

  router.post('/berth/v1/containers/{name}/migrated', (ctx) => {
    const to = ctx.str('to');
    if (!to) throw new InvalidArgumentError('missing the destination: to=HOST');
    b.markMigrated(ctx.param('name'), to);
    reply(ctx, 204);
  });

  router.get('/berth/v1/backups', () => b.listBackups());

  router.post('/berth/v1/backups/prune', () => b.pruneBackups());
}
