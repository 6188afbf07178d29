import type { IncomingMessage } from 'node:http';
import { encodeQueryPairs, type ApiClient, type QueryPairs } from './api-client.js';
import type { CreateResponse, Filters, ImageDeleteItem, ImageHistoryItem, ImageInspect, ImageSummary, JsonMessage, PruneReport } from './api-types.js';
import { readJsonLines } from './response-body.js';

// /images/..., /build, /commit: one method per endpoint the CLI uses. Streams of progress come
// back decoded, one JsonMessage at a time, for the caller to render.

const at = (name: string, verb = ''): string => `/images/${encodeURIComponent(name)}${verb ? `/${verb}` : ''}`;
const TAR = { 'Content-Type': 'application/x-tar' };

export interface PullOptions {
  fromImage: string;
  tag?: string;
  platform?: string;
  /** The X-Registry-Auth header's value. */
  auth?: string;
}

export interface ListImagesOptions {
  all?: boolean;
  digests?: boolean;
  filters?: Filters;
}

export class ImagesApi {
  constructor(private readonly c: ApiClient) {}

  /** POST /images/create?fromImage=: the pull's progress messages as they come. */
  async pull(o: PullOptions): Promise<AsyncGenerator<JsonMessage>> {
    const query = { fromImage: o.fromImage, tag: o.tag, platform: o.platform || undefined };
    const res = await this.c.stream('POST', '/images/create', { query, headers: o.auth ? { 'X-Registry-Auth': o.auth } : {} });
    return readJsonLines<JsonMessage>(res);
  }

  list(o: ListImagesOptions = {}): Promise<ImageSummary[]> {
    const query = { all: o.all || undefined, digests: o.digests || undefined, filters: o.filters && Object.keys(o.filters).length ? o.filters : undefined };
    return this.c.call<ImageSummary[]>('GET', '/images/json', { query });
  }

  inspect(name: string): Promise<ImageInspect> {
    return this.c.call<ImageInspect>('GET', at(name, 'json'));
  }

  history(name: string): Promise<ImageHistoryItem[]> {
    return this.c.call<ImageHistoryItem[]>('GET', at(name, 'history'));
  }

  remove(name: string, o: { force?: boolean; noprune?: boolean } = {}): Promise<ImageDeleteItem[] | undefined> {
    return this.c.call<ImageDeleteItem[] | undefined>('DELETE', at(name), { query: { force: o.force || undefined, noprune: o.noprune || undefined } });
  }

  async tag(source: string, repo: string, tag: string): Promise<void> {
    await this.c.call('POST', at(source, 'tag'), { query: { repo, tag } });
  }

  prune(filters?: Filters): Promise<PruneReport | undefined> {
    return this.c.call<PruneReport | undefined>('POST', '/images/prune', { query: { filters: filters && Object.keys(filters).length ? filters : undefined } });
  }

  /** POST /images/{name}/push: the push's progress messages. */
  async push(repo: string, tag: string | undefined, auth: string): Promise<AsyncGenerator<JsonMessage>> {
    const res = await this.c.stream('POST', `${at(repo, 'push')}${encodeQueryPairs([['tag', tag]])}`, { headers: { 'X-Registry-Auth': auth } });
    return readJsonLines<JsonMessage>(res);
  }

  /** GET /images/get?names=...: the tar archive of the images. */
  save(names: string[]): Promise<IncomingMessage> {
    return this.c.stream('GET', `/images/get${encodeQueryPairs(names.map((n): [string, string] => ['names', n]))}`);
  }

  async load(archive: NodeJS.ReadableStream, quiet: boolean): Promise<AsyncGenerator<JsonMessage>> {
    const res = await this.c.stream('POST', `/images/load${encodeQueryPairs([['quiet', quiet ? '1' : undefined]])}`, { rawBody: archive, headers: TAR });
    return readJsonLines<JsonMessage>(res);
  }

  /** POST /images/create?fromSrc=-: a tarball made into an image. */
  async import(params: QueryPairs, tarball: NodeJS.ReadableStream): Promise<AsyncGenerator<JsonMessage>> {
    const res = await this.c.stream('POST', `/images/create${encodeQueryPairs([['fromSrc', '-'], ...params])}`, { rawBody: tarball, headers: TAR });
    return readJsonLines<JsonMessage>(res);
  }

  /** POST /commit (`changes` may repeat, hence the pairs). */
  commit(params: QueryPairs): Promise<CreateResponse> {
    return this.c.call<CreateResponse>('POST', `/commit${encodeQueryPairs(params)}`, { body: {} });
  }

  /** POST /build with the context as a tar: the build's messages. */
  async build(params: QueryPairs, context: NodeJS.ReadableStream): Promise<AsyncGenerator<JsonMessage>> {
    const res = await this.c.stream('POST', `/build${encodeQueryPairs(params)}`, { rawBody: context, headers: TAR });
    return readJsonLines<JsonMessage>(res);
  }

  buildPrune(o: { all?: boolean; filters?: Filters }): Promise<PruneReport | undefined> {
    return this.c.call<PruneReport | undefined>('POST', '/build/prune', { query: { all: o.all ? '1' : undefined, filters: o.filters } });
  }
}
