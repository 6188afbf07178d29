import { createReadStream } from 'node:fs';
import { Transform } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { NotFoundError, SystemError, UnauthorizedError } from '../../common/errors.js';
import { sha256Digest } from './content-store.js';
import type { ImageStoreParts } from './image-archive-layers.js';
import type { ImageRecord } from './image-views.js';
import { DOCKER_CONFIG, DOCKER_MANIFEST, OCI_CONFIG, OCI_MANIFEST, layerCompression } from './media-types.js';
import { progressOf, statusOf, type JsonMessage } from './progress.js';
import { familiarName, fullName, parseNormalizedNamed, parseReference, referenceString, tagNameOnly, type ImageReference } from './reference.js';
import { basicHeader, credentials, TokenCache, type AuthConfig, type Challenge } from './registry-auth.js';
import { RegistryError, type Endpoint, type RegistryClient } from './registry-client.js';
import { registryRequest as request } from './registry-transport.js';

// `docker push`: every layer blob the registry lacks (mounted from a repository of the same
// registry the image came from when it can be), the config, then a schema 2 manifest per tag,
// with Docker's progress messages.

export interface PushDeps extends ImageStoreParts {
  registry: RegistryClient;
  getImage(ref: string): ImageRecord;
  /** Attempts per blob on network errors and 5xx (Docker retries five times). */
  retries?: number;
}

const DOCKER_LAYER_GZIP = 'application/vnd.docker.image.rootfs.diff.tar.gzip';
const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
const OCI_LAYER_ZSTD = 'application/vnd.oci.image.layer.v1.tar+zstd';

async function registryError(res: Dispatcher.ResponseData): Promise<RegistryError> {
  const text = await res.body.text().catch(() => '');
  try {
    const first = (JSON.parse(text) as { errors?: { code?: string; message?: string }[] }).errors?.[0];
    if (first?.code) return new RegistryError(res.statusCode, first.code, first.message ?? '');
  } catch {
    // not JSON
  }
  const code = res.statusCode === 401 ? 'UNAUTHORIZED' : res.statusCode === 404 ? 'NOT_FOUND' : 'UNKNOWN';
  return new RegistryError(res.statusCode, code, text.trim() || `unexpected status ${res.statusCode}`);
}

/** Talks to one repository of one registry with push rights. */
class PushSession {
  private readonly tokens = new TokenCache();
  private readonly ep: Endpoint;
  readonly path: string;

  constructor(
    private readonly client: RegistryClient,
    readonly ref: ImageReference,
    private readonly auth: AuthConfig | undefined,
  ) {
    this.ep = client.endpoints(ref.domain).find((e) => !e.mirror)!;
    this.path = fullName(ref).slice(ref.domain.length + 1);
  }

  private async headers(extraScope: string | undefined, fresh: boolean): Promise<Record<string, string>> {
    const challenges: Challenge[] | null = await this.client.ping(this.ep);
    if (!challenges) return {};
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    if (bearer) {
      if (fresh) this.tokens.forget();
      const scope = `repository:${this.path}:pull,push`;
      // Two scopes at once (a mount needs pull on the source) go as two scope parameters.
      const challenge = extraScope ? { ...bearer, params: { ...bearer.params, scope: extraScope } } : bearer;
      return { authorization: `Bearer ${await this.tokens.token(await this.client.dispatcher(), challenge, scope, this.auth)}` };
    }
    const creds = credentials(this.auth);
    if (!creds) throw new UnauthorizedError('unauthorized: authentication required');
    return { authorization: basicHeader(creds.username, creds.password) };
  }

  url(suffix: string): string {
    return `${this.ep.base}/v2/${this.path}/${suffix}`;
  }

  /** One request, with the auth dance; `body` is a factory so a retry after 401 can resend. */
  async send(
    method: Dispatcher.HttpMethod,
    url: string,
    opts: { headers?: Record<string, string>; body?: () => Buffer | NodeJS.ReadableStream; extraScope?: string } = {},
  ): Promise<Dispatcher.ResponseData> {
    for (let attempt = 0; ; attempt++) {
      const auth = await this.headers(opts.extraScope, attempt > 0);
      let res: Dispatcher.ResponseData;
      try {
        res = await request(url, {
          method,
          headers: { ...opts.headers, ...auth },
          body: opts.body?.() as Buffer | undefined,
          dispatcher: await this.client.dispatcher(),
        });
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        throw new SystemError(`${method[0]}${method.slice(1).toLowerCase()} "${url}": ${e.code === 'ECONNREFUSED' ? `dial tcp ${new URL(url).host}: connect: connection refused` : e.message}`, { cause: err });
      }
      if (res.statusCode === 401 && attempt === 0) {
        await res.body.dump();
        this.client.forgetPing(this.ep.base);
        continue;
      }
      return res;
    }
  }

  absolute(location: string): string {
    return new URL(location, this.ep.base + '/').toString();
  }

  async blobExists(digest: string): Promise<boolean> {
    const res = await this.send('HEAD', this.url(`blobs/${digest}`));
    await res.body.dump();
    if (res.statusCode === 200) return true;
    if (res.statusCode === 404) return false;
    throw new RegistryError(res.statusCode, res.statusCode === 401 ? 'UNAUTHORIZED' : 'UNKNOWN', `unexpected status ${res.statusCode} checking blob ${digest}`);
  }

  /** Starts an upload, or mounts the blob from `from`; returns undefined when the mount worked. */
  async startUpload(digest: string, from: string | undefined): Promise<string | undefined> {
    const query = from ? `?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}` : '';
    const res = await this.send('POST', this.url(`blobs/uploads/${query}`), {
      headers: { 'content-length': '0' },
      extraScope: from ? `repository:${from}:pull` : undefined,
    });
    if (res.statusCode === 201 && from) {
      await res.body.dump();
      return undefined;
    }
    if (res.statusCode !== 202) throw await registryError(res);
    await res.body.dump();
    const loc = res.headers.location;
    if (typeof loc !== 'string') throw new SystemError('registry started an upload without a Location');
    return this.absolute(loc);
  }

  async putBlob(location: string, digest: string, size: number, body: () => Buffer | NodeJS.ReadableStream): Promise<void> {
    const sep = location.includes('?') ? '&' : '?';
    const res = await this.send('PUT', `${location}${sep}digest=${encodeURIComponent(digest)}`, {
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
      body,
    });
    if (res.statusCode !== 201) throw await registryError(res);
    await res.body.dump();
  }

  async putManifest(tag: string, mediaType: string, body: Buffer): Promise<void> {
    const res = await this.send('PUT', this.url(`manifests/${tag}`), { headers: { 'content-type': mediaType }, body: () => body });
    if (res.statusCode !== 201) throw await registryError(res);
    await res.body.dump();
  }
}

function retryable(err: unknown): boolean {
  if (err instanceof RegistryError) return err.status >= 500;
  return err instanceof SystemError && err.cause !== undefined;
}

/** The tags a push covers: the one named, or every local tag of the repository. */
function tagsToPush(deps: PushDeps, ref: ImageReference): string[] {
  if (ref.tag) {
    const one = referenceString(ref);
    if (!deps.repo.resolveTag(one)) throw new NotFoundError(`An image does not exist locally with the tag: ${familiarName(ref)}`);
    return [ref.tag];
  }
  const name = fullName(ref);
  const tags = deps.repo.allTags().filter((t) => t.ref.startsWith(`${name}:`)).map((t) => t.ref.slice(name.length + 1));
  if (tags.length === 0) throw new NotFoundError(`An image does not exist locally with the tag: ${familiarName(ref)}`);
  return tags;
}

/** Repositories on the same registry the image's blobs are known in (from its RepoDigests). */
function mountSources(img: ImageRecord, ref: ImageReference): string[] {
  const out: string[] = [];
  for (const d of img.repoDigests) {
    const r = parseReference(d);
    const path = fullName(r).slice(r.domain.length + 1);
    if (r.domain === ref.domain && fullName(r) !== fullName(ref) && !out.includes(path)) out.push(path);
  }
  return out;
}

/**
 * Pushes `name` (all its tags when it has none) to its registry. Errors are thrown; the caller
 * turns those after the first message into a stream error as Docker does.
 */
export async function pushImage(
  deps: PushDeps,
  name: string,
  tag: string | undefined,
  auth: AuthConfig | undefined,
  onProgress: (m: JsonMessage) => void,
): Promise<void> {
  let ref = parseNormalizedNamed(name);
  if (tag) ref = { ...ref, tag };
  if (ref.digest) throw new SystemError('cannot push a digest reference');
  const tags = tagsToPush(deps, ref);
  const session = new PushSession(deps.registry, ref, auth);
  onProgress({ status: `The push refers to repository [${fullName(ref)}]` });
  const pushed = new Set<string>();
  for (const t of tags) {
    const tagRef = tagNameOnly({ ...ref, tag: t });
    const img = deps.getImage(referenceString(tagRef));
    const row = deps.repo.get(img.id)!;
    const sources = mountSources(img, ref);
    const layers = [...row.layers].reverse();
    const ids = layers.map((l) => l.diffId.replace(/^sha256:/, '').slice(0, 12));
    layers.forEach((_l, i) => onProgress(statusOf(ids[i]!, 'Preparing')));
    for (let i = 0; i < layers.length; i++) {
      const layer = layers[i]!;
      const id = ids[i]!;
      if (pushed.has(layer.digest)) {
        onProgress(statusOf(id, 'Layer already exists'));
        continue;
      }
      await withRetries(deps, id, onProgress, () => pushLayer(deps, session, layer.digest, id, sources, onProgress));
      pushed.add(layer.digest);
    }
    const config = deps.content.has(img.id) ? deps.content.read(img.id) : Buffer.from(row.config);
    if (!(await session.blobExists(img.id))) {
      const loc = await session.startUpload(img.id, undefined);
      await session.putBlob(loc!, img.id, config.length, () => config);
    }
    const oci = row.layers.some((l) => layerCompression(l.mediaType) === 'zstd');
    const mediaType = oci ? OCI_MANIFEST : DOCKER_MANIFEST;
    const manifestDoc = {
      schemaVersion: 2,
      mediaType,
      config: { mediaType: oci ? OCI_CONFIG : DOCKER_CONFIG, size: config.length, digest: img.id },
      layers: row.layers.map((l) => ({
        mediaType: oci ? (layerCompression(l.mediaType) === 'zstd' ? OCI_LAYER_ZSTD : OCI_LAYER_GZIP) : DOCKER_LAYER_GZIP,
        size: deps.content.size(l.digest),
        digest: l.digest,
      })),
    };
    // distribution's schema2 manifests are indented with three spaces; Docker pushes exactly that.
    const body = Buffer.from(JSON.stringify(manifestDoc, null, 3));
    const digest = sha256Digest(body);
    await session.putManifest(t, mediaType, body);
    deps.repo.save(row, [], [`${fullName(ref)}@${digest}`]);
    onProgress({ status: `${t}: digest: ${digest} size: ${body.length}` });
    onProgress({ progressDetail: {}, aux: { Tag: t, Digest: digest, Size: body.length } });
  }
}

async function withRetries(deps: PushDeps, id: string, onProgress: (m: JsonMessage) => void, fn: () => Promise<void>): Promise<void> {
  const retries = deps.retries ?? 5;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!retryable(err) || attempt > retries) throw err;
      deps.logger.warn({ id, attempt, err: (err as Error).message }, 'blob push failed, retrying');
      const seconds = Math.min(5, attempt);
      onProgress(statusOf(id, `Retrying in ${seconds} second${seconds === 1 ? '' : 's'}`));
      await sleep(seconds * 200);
    }
  }
}

async function pushLayer(
  deps: PushDeps,
  session: PushSession,
  digest: string,
  id: string,
  sources: string[],
  onProgress: (m: JsonMessage) => void,
): Promise<void> {
  if (await session.blobExists(digest)) {
    onProgress(statusOf(id, 'Layer already exists'));
    return;
  }
  let location: string | undefined;
  for (const from of sources) {
    location = await session.startUpload(digest, from);
    if (location === undefined) {
      onProgress(statusOf(id, `Mounted from ${from}`));
      return;
    }
    break;
  }
  location ??= await session.startUpload(digest, undefined);
  if (!location) return;
  const size = deps.content.size(digest);
  let sent = 0;
  let reported = 0;
  const step = Math.max(512 * 1024, Math.floor(size / 100));
  await session.putBlob(location, digest, size, () => {
    sent = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        sent += chunk.length;
        if (sent - reported >= step || sent === size) {
          reported = sent;
          onProgress(progressOf(id, 'Pushing', sent, size));
        }
        cb(null, chunk);
      },
    });
    const rs = createReadStream(deps.content.path(digest), { highWaterMark: 1 << 20 });
    rs.on('error', (err) => counter.destroy(err));
    return rs.pipe(counter);
  });
  onProgress(statusOf(id, 'Pushed'));
}
