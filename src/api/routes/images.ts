import { InvalidArgumentError, NotImplementedError } from '../../common/errors.js';
import type { DeleteRecord, ImageFilters, ImageRecord, ImageUsage } from '../../engine/images/image-service.js';
import type { JsonMessage } from '../../engine/images/progress.js';
import type { AuthConfig } from '../../engine/images/registry-auth.js';
import { streamErrorMessage } from '../error-status.js';
import type { RequestContext } from '../request-context.js';
import type { Router } from '../router.js';
import { decodeAuthConfig } from '../schemas/container-bodies.js';
import { reply } from '../server.js';
import { NdjsonStream } from '../streams/ndjson.js';
import { applyGates, gateQuery, IMAGE_INSPECT_GATES, IMAGE_LIST_GATES } from '../versions/index.js';

/** What the image routes need from the engine. */
export interface ImagesBackend {
  images: {
    pull(ref: string, opts: { platform?: string; auth?: AuthConfig; allTags?: boolean }, onProgress: (m: JsonMessage) => void): Promise<ImageRecord>;
    list(opts: { all?: boolean; filters?: ImageFilters; digests?: boolean; containers?: (imageId: string) => number; sharedSize?: boolean }): Record<string, unknown>[];
    inspect(ref: string): Record<string, unknown>;
    history(ref: string): Record<string, unknown>[];
    tag(src: string, repo: string, tag?: string): void;
    remove(ref: string, opts: { force?: boolean; noprune?: boolean }, used: ImageUsage): DeleteRecord[];
    prune(opts: { filters?: ImageFilters }, used: ImageUsage): { ImagesDeleted: DeleteRecord[] | null; SpaceReclaimed: number };
    distributionInspect(ref: string, auth?: AuthConfig): Promise<Record<string, unknown>>;
    login(auth: AuthConfig): Promise<{ Status: string; IdentityToken: string }>;
  };
  /** The container using an image, if any (running ones first). */
  usedBy: ImageUsage;
  /** How many containers use an image (for `Containers` in the list). */
  containerCount?: (imageId: string) => number;
}

/** Decodes X-Registry-Auth: base64url (or plain base64) JSON of an auth config. */
export function decodeRegistryAuth(header: string | string[] | undefined): AuthConfig | undefined {
  const raw = Array.isArray(header) ? header[0] : header;
  if (!raw) return undefined;
  try {
    const text = Buffer.from(raw.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
    const doc: unknown = JSON.parse(text);
    if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return undefined;
    return Object.fromEntries(Object.entries(doc).filter(([, x]) => typeof x === 'string')) as AuthConfig;
  } catch {
    // dockerd ignores an unreadable header and pulls anonymously.
    return undefined;
  }
}

/** fromImage plus tag (a tag or a digest), as dockerd joins them. */
export function pullReference(fromImage: string, tag: string | undefined): { ref: string; allTags: boolean } {
  if (tag) {
    const isDigest = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/.test(tag);
    return { ref: `${fromImage}${isDigest ? '@' : ':'}${tag}`, allTags: false };
  }
  const last = fromImage.slice(fromImage.lastIndexOf('/') + 1);
  return { ref: fromImage, allTags: !last.includes(':') && !fromImage.includes('@') };
}

async function createImage(ctx: RequestContext, b: ImagesBackend): Promise<void> {
  gateQuery(ctx.query, ctx.apiVersion, 'image.create');
  const fromImage = ctx.str('fromImage');
  if (!fromImage) {
    if (ctx.str('fromSrc') !== undefined) throw new NotImplementedError('importing images (fromSrc) is not implemented yet');
    throw new InvalidArgumentError('fromImage or fromSrc is required');
  }
  const { ref, allTags } = pullReference(fromImage, ctx.str('tag'));
  const auth = decodeRegistryAuth(ctx.req.headers['x-registry-auth']);
  const platform = ctx.str('platform') || undefined;
  let out: NdjsonStream | undefined;
  try {
    await b.images.pull(ref, { auth, platform, allTags }, (msg) => {
      out ??= new NdjsonStream(ctx.res!);
      ctx.handled = true;
      out.write(msg);
    });
  } catch (err) {
    // Before the first progress message the error is a plain HTTP error; after it, a stream message.
    if (!out) throw err;
    out.writeError(streamErrorMessage(err, ctx.logger));
  }
  out?.end();
  if (!out) reply(ctx, 200);
}

export function registerImageRoutes(router: Router, b: ImagesBackend): void {
  router.post('/images/create', (ctx) => createImage(ctx, b));
  router.get('/images/json', (ctx) => {
    gateQuery(ctx.query, ctx.apiVersion, 'image.list');
    const list = b.images.list({ all: ctx.bool('all'), filters: ctx.filters(), digests: ctx.bool('digests'), containers: b.containerCount, sharedSize: ctx.bool('shared-size') });
    return list.map((img) => applyGates(IMAGE_LIST_GATES, ctx.apiVersion, img));
  });
  router.post('/images/prune', (ctx) => b.images.prune({ filters: ctx.filters() }, b.usedBy));
  router.post('/images/search', () => {
    throw new NotImplementedError('image search is not implemented');
  });
  router.get('/images/search', () => {
    throw new NotImplementedError('image search is not implemented');
  });
  router.get('/images/{name:.*}/json', (ctx) => {
    gateQuery(ctx.query, ctx.apiVersion, 'image.inspect');
    return applyGates(IMAGE_INSPECT_GATES, ctx.apiVersion, b.images.inspect(ctx.param('name')));
  });
  router.get('/images/{name:.*}/history', (ctx) => {
    gateQuery(ctx.query, ctx.apiVersion, 'image.history');
    return b.images.history(ctx.param('name'));
  });
  router.post('/images/{name:.*}/tag', (ctx) => {
    const repo = ctx.str('repo');
    if (!repo) throw new InvalidArgumentError('repo is required');
    b.images.tag(ctx.param('name'), repo, ctx.str('tag') || undefined);
    reply(ctx, 201);
  });
  router.delete('/images/{name:.*}', (ctx) => {
    gateQuery(ctx.query, ctx.apiVersion, 'image.delete');
    return b.images.remove(ctx.param('name'), { force: ctx.bool('force'), noprune: ctx.bool('noprune') }, b.usedBy);
  });
  router.get('/distribution/{name:.*}/json', (ctx) =>
    b.images.distributionInspect(ctx.param('name'), decodeRegistryAuth(ctx.req.headers['x-registry-auth'])),
  );
  router.post('/auth', async (ctx) => {
    const body = (await ctx.body(decodeAuthConfig)) ?? {};
    return b.images.login(body as AuthConfig);
  });
}
