import type { CommitOptions } from '../../engine/containers/container-commit.js';
import type { Readable } from 'node:stream';
import { InvalidArgumentError } from '../../common/errors.js';
import type { JsonMessage } from '../../engine/images/progress.js';
import type { AuthConfig } from '../../engine/images/registry-auth.js';
import type { RequestContext } from '../request-context.js';
import type { Router } from '../router.js';
import { decodeCommitConfig } from '../schemas/container-bodies.js';
import { reply } from '../server.js';
import { NdjsonStream } from '../streams/ndjson.js';
import { decodeRegistryAuth } from './images.js';
import { gateQuery } from '../versions/index.js';
import { tarClientError } from '../archive-errors.js';
import { streamErrorMessage } from '../error-status.js';

// Images in and out of the engine other than by pull: save, load, import, push, commit.

export interface ImageTransferBackend {
  save(names: string[]): Readable;
  load(body: Readable, opts: { quiet: boolean }, onMessage: (m: JsonMessage & { stream?: string }) => void): Promise<unknown>;
  importImage(body: Readable, opts: { repo?: string; tag?: string; message?: string; changes?: string[]; platform?: string }): Promise<{ id: string }>;
  push(name: string, tag: string | undefined, auth: AuthConfig | undefined, onProgress: (m: JsonMessage) => void): Promise<void>;
  commit(opts: CommitOptions): Promise<{ Id: string }>;
}

function sendTar(ctx: RequestContext, stream: Readable): Promise<void> {
  ctx.handled = true;
  const res = ctx.res!;
  res.writeHead(200, { 'Content-Type': 'application/x-tar' });
  return new Promise((resolve) => {
    stream.on('error', () => {
      // Mid-stream failure: the only way to tell the client is to cut the connection.
      res.destroy();
      resolve();
    });
    stream.pipe(res);
    res.on('close', () => {
      stream.destroy();
      resolve();
    });
  });
}

/** Runs `work`, streaming its messages as NDJSON; an error after the first message becomes a stream error. */
export async function progressStream(ctx: RequestContext, work: (emit: (m: unknown) => void) => Promise<unknown>, o: { errorsInStream?: boolean } = {}): Promise<void> {
  let out: NdjsonStream | undefined;
  const emit = (m: unknown) => {
    out ??= new NdjsonStream(ctx.res!);
    ctx.handled = true;
    out.write(m);
  };
  try {
    await work(emit);
  } catch (thrown) {
    const err = tarClientError(thrown) ?? thrown;
    if (!out && !o.errorsInStream) throw err;
    out ??= new NdjsonStream(ctx.res!);
    ctx.handled = true;
    // A failed build step carries its exit code (errorDetail.code), as dockerd reports it.
    const code = (err as { code?: unknown }).code;
    out.writeError(streamErrorMessage(err, ctx.logger), typeof code === 'number' ? code : undefined);
  }
  if (out) out.end();
  else reply(ctx, 200);
}

/** Docker's tag grammar; the engine stores what the edge lets through, and a bad tag breaks every image listing. */
const TAG = /^[\w][\w.-]{0,127}$/;

function tagParam(ctx: RequestContext): string | undefined {
  const tag = ctx.str('tag') || undefined;
  if (tag !== undefined && !TAG.test(tag)) throw new InvalidArgumentError('invalid tag format');
  return tag;
}

/** Docker accepts changes as repeated query parameters (and older clients as one newline-joined value). */
function changesOf(ctx: RequestContext): string[] {
  return ctx.query.getAll('changes').flatMap((c) => c.split('\n')).filter((c) => c.trim() !== '');
}

export function registerImageTransferRoutes(router: Router, b: ImageTransferBackend): void {
  router.get('/images/get', (ctx) => {
    gateQuery(ctx.query, ctx.apiVersion, 'image.get');
    const names = ctx.query.getAll('names').flatMap((n) => n.split(',')).filter(Boolean);
    if (names.length === 0) throw new InvalidArgumentError('names is required');
    return sendTar(ctx, b.save(names));
  });
  router.get('/images/{name:.*}/get', (ctx) => {
    gateQuery(ctx.query, ctx.apiVersion, 'image.get');
    return sendTar(ctx, b.save([ctx.param('name')]));
  });
  router.post('/images/load', (ctx) => {
    gateQuery(ctx.query, ctx.apiVersion, 'image.load');
    // dockerd answers 200 and reports a bad archive inside the stream (docker-py raises ImageLoadError from it).
    return progressStream(
      ctx,
      async (emit) => {
        await b.load(ctx.req, { quiet: ctx.bool('quiet') }, emit);
      },
      { errorsInStream: true },
    );
  });
  router.post('/images/{name:.*}/push', (ctx) => {
    gateQuery(ctx.query, ctx.apiVersion, 'image.push');
    return progressStream(ctx, (emit) => b.push(ctx.param('name'), ctx.str('tag') || undefined, decodeRegistryAuth(ctx.req.headers['x-registry-auth']), emit));
  });
  router.post('/commit', async (ctx) => {
    const container = ctx.str('container');
    if (!container) throw new InvalidArgumentError('container is required');
    const config = await ctx.body(decodeCommitConfig);
    const r = await b.commit({
      container,
      repo: ctx.str('repo') || undefined,
      tag: tagParam(ctx),
      author: ctx.str('author') || undefined,
      comment: ctx.str('comment') || undefined,
      pause: ctx.bool('pause', true),
      changes: changesOf(ctx),
      config: config ?? undefined,
    });
    reply(ctx, 201, r);
  });
}

/** `POST /images/create?fromSrc=-`: the request body is the rootfs tarball. Returns false when not an import. */
export async function importFromRequest(ctx: RequestContext, b: ImageTransferBackend): Promise<boolean> {
  const src = ctx.str('fromSrc');
  if (src === undefined || ctx.str('fromImage')) return false;
  if (src !== '-') throw new InvalidArgumentError('importing from a URL is not supported: send the archive in the request body (fromSrc=-)');
  await progressStream(ctx, async (emit) => {
    const tag = tagParam(ctx);
    const { id } = await b.importImage(ctx.req, {
      repo: ctx.str('repo') || undefined,
      tag,
      message: ctx.str('message') || undefined,
      changes: changesOf(ctx),
      platform: ctx.str('platform') || undefined,
    });
    emit({ status: id });
  });
  return true;
}

/** Puts import in front of the pull handler of `POST /images/create` (one path, two verbs by query). */
export function registerImportRoute(router: Router, b: ImageTransferBackend, pull: ((ctx: RequestContext) => unknown) | undefined): void {
  router.post('/images/create', async (ctx) => {
    gateQuery(ctx.query, ctx.apiVersion, 'image.create');
    if (await importFromRequest(ctx, b)) return undefined;
    if (!pull) throw new InvalidArgumentError('fromImage or fromSrc is required');
    return pull(ctx);
  });
}
