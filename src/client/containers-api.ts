import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ApiClient, Query } from './api-client.js';
import { readAll } from './response-body.js';
import type {
  ContainerChange,
  ContainerInspect,
  ContainerSummary,
  CreateResponse,
  ExecInspect,
  Filters,
  PruneReport,
  StatsSample,
  TopResponse,
  UpdateResponse,
  WaitResponse,
} from './api-types.js';

// /containers/... and /exec/...: one method per endpoint the CLI uses, the path and query spelled
// out here and nowhere else.

const at = (id: string, verb = ''): string => `/containers/${encodeURIComponent(id)}${verb ? `/${verb}` : ''}`;

export interface ListContainersOptions {
  all?: boolean;
  limit?: number;
  size?: boolean;
  filters?: Filters;
}

export interface StopOptions {
  signal?: string;
  /** Seconds before the kill, as given on the command line. */
  t?: string;
}

export interface RemoveContainerOptions {
  force?: boolean;
  volumes?: boolean;
  link?: boolean;
}

export interface AttachOptions {
  stdin?: boolean;
  stdout?: boolean;
  stderr?: boolean;
  detachKeys?: string;
}

export type LogsQuery = Query;

export interface ExecCreateBody {
  User: string;
  Privileged: boolean;
  Tty: boolean;
  ConsoleSize: [number, number] | null;
  AttachStdin: boolean;
  AttachStderr: boolean;
  AttachStdout: boolean;
  DetachKeys: string;
  Env: string[] | null;
  WorkingDir: string;
  Cmd: string[];
}

export interface ExecStartBody {
  Detach: boolean;
  Tty: boolean;
  ConsoleSize: [number, number] | null;
}

export class ContainersApi {
  constructor(private readonly c: ApiClient) {}

  list(o: ListContainersOptions = {}): Promise<ContainerSummary[]> {
    const query = { all: o.all || undefined, limit: o.limit, size: o.size || undefined, filters: o.filters };
    return this.c.call<ContainerSummary[]>('GET', '/containers/json', { query });
  }

  inspect(id: string, o: { size?: boolean } = {}): Promise<ContainerInspect> {
    return this.c.call<ContainerInspect>('GET', at(id, 'json'), { query: { size: o.size || undefined } });
  }

  create(body: object, o: { name?: string; platform?: string } = {}): Promise<CreateResponse> {
    return this.c.call<CreateResponse>('POST', '/containers/create', { query: { name: o.name, platform: o.platform }, body });
  }

  async start(id: string): Promise<void> {
    await this.c.call('POST', at(id, 'start'));
  }

  async stop(id: string, o: StopOptions = {}): Promise<void> {
    await this.c.call('POST', at(id, 'stop'), { query: { signal: o.signal, t: o.t } });
  }

  async restart(id: string, o: StopOptions = {}): Promise<void> {
    await this.c.call('POST', at(id, 'restart'), { query: { signal: o.signal, t: o.t } });
  }

  async kill(id: string, signal?: string): Promise<void> {
    await this.c.call('POST', at(id, 'kill'), { query: { signal } });
  }

  async pause(id: string): Promise<void> {
    await this.c.call('POST', at(id, 'pause'));
  }

  async unpause(id: string): Promise<void> {
    await this.c.call('POST', at(id, 'unpause'));
  }

  async rename(id: string, name: string): Promise<void> {
    await this.c.call('POST', at(id, 'rename'), { query: { name } });
  }

  async remove(id: string, o: RemoveContainerOptions = {}): Promise<void> {
    await this.c.call('DELETE', at(id), { query: { force: o.force || undefined, v: o.volumes || undefined, link: o.link || undefined } });
  }

  async resize(id: string, h: number, w: number): Promise<void> {
    await this.c.call('POST', at(id, 'resize'), { query: { h, w } });
  }

  update(id: string, body: object): Promise<UpdateResponse | undefined> {
    return this.c.call<UpdateResponse | undefined>('POST', at(id, 'update'), { body });
  }

  top(id: string, psArgs?: string): Promise<TopResponse> {
    return this.c.call<TopResponse>('GET', at(id, 'top'), { query: { ps_args: psArgs } });
  }

  changes(id: string): Promise<ContainerChange[] | null> {
    return this.c.call<ContainerChange[] | null>('GET', at(id, 'changes'));
  }

  prune(filters?: Filters): Promise<PruneReport | undefined> {
    return this.c.call<PruneReport | undefined>('POST', '/containers/prune', { query: { filters } });
  }

  /** The wait request is open before the container starts, so no exit is missed. */
  async wait(id: string, condition?: 'next-exit' | 'removed'): Promise<{ response: IncomingMessage; result: Promise<WaitResponse> }> {
    const response = await this.c.stream('POST', at(id, 'wait'), { query: { condition } });
    const result = readAll(response).then((body) => JSON.parse(body.toString('utf8') || '{}') as WaitResponse);
    // A wait that fails later (daemon gone) must not crash the process before anyone looks at it.
    result.catch(() => undefined);
    return { response, result };
  }

  attach(id: string, o: AttachOptions): Promise<{ socket: Duplex; contentType: string }> {
    const query = { stream: 1, stdin: o.stdin ? 1 : undefined, stdout: o.stdout ? 1 : undefined, stderr: o.stderr ? 1 : undefined, detachKeys: o.detachKeys || undefined };
    return this.c.hijack(at(id, 'attach'), { query });
  }

  logs(id: string, query: LogsQuery): Promise<IncomingMessage> {
    return this.c.stream('GET', at(id, 'logs'), { query });
  }

  statsOnce(id: string): Promise<StatsSample> {
    return this.c.call<StatsSample>('GET', at(id, 'stats'), { query: { stream: '0' } });
  }

  /** The stats stream; its lines are decoded with readJsonLines. */
  statsStream(id: string): Promise<IncomingMessage> {
    return this.c.stream('GET', at(id, 'stats'), { query: { stream: '1' } });
  }

  /** HEAD /archive: the answer whatever its status (404 is a missing path or container). */
  statPath(id: string, path: string): Promise<IncomingMessage> {
    return this.c.request('HEAD', at(id, 'archive'), { query: { path } });
  }

  getArchive(id: string, path: string): Promise<IncomingMessage> {
    return this.c.stream('GET', at(id, 'archive'), { query: { path } });
  }

  /** PUT /archive: the answer whatever its status, for the caller to word the error. */
  putArchive(id: string, query: Query & { path: string }, body: NodeJS.ReadableStream): Promise<IncomingMessage> {
    return this.c.request('PUT', at(id, 'archive'), { query, rawBody: body });
  }

  export(id: string): Promise<IncomingMessage> {
    return this.c.stream('GET', at(id, 'export'));
  }

  exec(id: string, body: ExecCreateBody): Promise<{ Id: string }> {
    return this.c.call<{ Id: string }>('POST', at(id, 'exec'), { body });
  }
}

const execAt = (id: string, verb: string): string => `/exec/${encodeURIComponent(id)}/${verb}`;

export class ExecApi {
  constructor(private readonly c: ApiClient) {}

  async startDetached(id: string, body: ExecStartBody): Promise<void> {
    await this.c.call('POST', execAt(id, 'start'), { body });
  }

  startAttached(id: string, body: ExecStartBody): Promise<{ socket: Duplex; contentType: string }> {
    return this.c.hijack(execAt(id, 'start'), { body });
  }

  async resize(id: string, h: number, w: number): Promise<void> {
    await this.c.call('POST', execAt(id, 'resize'), { query: { h, w } });
  }

  inspect(id: string): Promise<ExecInspect> {
    return this.c.call<ExecInspect>('GET', execAt(id, 'json'));
  }
}
