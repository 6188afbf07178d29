import { ConflictError, InvalidArgumentError, NotImplementedError } from '../../common/errors.js';
import type { ContainerRecord } from '../../engine/containers/container-model.js';
import type { ContainerService, WaitCondition } from '../../engine/containers/container-service.js';
import { filterContainers, inspectView, summaryView } from '../../engine/containers/container-views.js';
import { linkNamesByTarget } from '../../engine/containers/links.js';
import type { ExecService } from '../../engine/containers/exec-service.js';
import type { StatsSample } from '../../engine/containers/container-stats.js';
import type { LogReader, RuntimeAttach } from '../../engine/containers/ports.js';
import type { RequestContext } from '../request-context.js';
import type { Router } from '../router.js';
import { reply } from '../server.js';
import { hijack, type HijackedStream } from '../streams/hijack.js';
import { frame } from '../streams/multiplexed.js';
import { parseTimeParam } from '../../common/time-param.js';
import { websocketStream } from '../streams/websocket.js';
import {
  applyGates,
  behaves,
  gateQuery,
  CONTAINER_CREATE_GATES,
  CONTAINER_INSPECT_GATES,
  CONTAINER_LIST_GATES,
  CONTAINER_UPDATE_GATES,
  EXEC_CREATE_GATES,
  EXEC_START_GATES,
} from '../versions/index.js';
import { decodeCreateBody, decodeExecCreateBody, decodeExecStartBody, decodeUpdateBody } from '../schemas/container-bodies.js';
import { listReadable } from '../list-readable.js';
import { streamErrorMessage } from '../error-status.js';

/** What the container routes need from the engine. */
export interface ContainersBackend {
  containers: ContainerService;
  exec: ExecService;
  readLogs: LogReader;
  imageId(ref: string): string | undefined;
  graphDriverData(id: string): Record<string, string>;
  top(c: ContainerRecord, psArgs: string): Promise<{ Titles: string[]; Processes: string[][] }>;
  containerSize?(id: string): Promise<{ rw: number; rootFs: number }>;
  stats(c: ContainerRecord, previous?: StatsSample): { json: Record<string, unknown>; sample?: StatsSample };
  /** "1" or "2": some old-client defaults depend on the host's cgroup version. */
  cgroupVersion?(): string;
}

export function registerContainerRoutes(router: Router, b: ContainersBackend): void {
  const svc = b.containers;

  router.get('/containers/json', async (ctx) => {
    const all = ctx.bool('all') || ctx.bool('before') || ctx.bool('since');
    const filters = ctx.filters();
    let list = filterContainers(svc.list(), filters, { imageId: b.imageId, container: (r) => svc.get(r) });
    if (!all && !filters.status?.length && !filters.exited?.length) list = list.filter((c) => c.State.Running);
    if (!all && (filters.status?.length || filters.exited?.length)) {
      /* an explicit status filter already chose */
    }
    const limit = ctx.int('limit', -1)!;
    if (limit > 0) list = list.slice(0, limit);
    const withSize = ctx.bool('size') && b.containerSize;
    // Links of a record that cannot be read are left out, not the whole list.
    const linkNames = linkNamesByTarget(listReadable(ctx.logger, 'container links', svc.list(), (c) => (linkNamesByTarget([c]), c)));
    const sizes = withSize ? await Promise.all(list.map((c) => b.containerSize!(c.Id).catch(() => undefined))) : [];
    // One record the views cannot read (stored by an older berth) must not hide all the others.
    return listReadable(ctx.logger, 'container', list, (c, i) => summaryView(c, sizes[i], linkNames.get(c.Name))).map((v) =>
      applyGates(CONTAINER_LIST_GATES, ctx.apiVersion, v as Record<string, any>),
    );
  });

  router.post('/containers/create', async (ctx) => {
    const body = await ctx.body(decodeCreateBody);
    if (!body) throw new InvalidArgumentError('config cannot be empty in order to create a container');
    gateQuery(ctx.query, ctx.apiVersion, 'container.create');
    const warnings: string[] = [];
    if (typeof body === 'object' && !Array.isArray(body)) {
      applyGates(CONTAINER_CREATE_GATES, ctx.apiVersion, body, { cgroupVersion: b.cgroupVersion?.(), warnings });
    }
    const created = await svc.create({ name: ctx.str('name') || undefined, body, platform: ctx.str('platform') });
    reply(ctx, 201, warnings.length ? { ...created, Warnings: [...(created.Warnings ?? []), ...warnings] } : created);
  });

  router.post('/containers/prune', async (ctx) => {
    const filters = ctx.filters();
    const until = filters.until?.[0] ? parseTimeParam(filters.until[0], 'until') : undefined;
    const deleted: string[] = [];
    let reclaimed = 0;
    for (const c of svc.list()) {
      if (c.State.Running || c.State.Restarting) continue;
      if (until !== undefined && Date.parse(c.Created) * 1e6 >= until) continue;
      if (!labelsMatch(c.Config.Labels ?? {}, filters.label ?? [], filters['label!'] ?? [])) continue;
      const size = b.containerSize ? await b.containerSize(c.Id).catch(() => undefined) : undefined;
      await svc.remove(c.Id, { force: false });
      b.exec.forget(c.Id);
      deleted.push(c.Id);
      reclaimed += size?.rw ?? 0;
    }
    return { ContainersDeleted: deleted.length ? deleted : null, SpaceReclaimed: reclaimed };
  });

  router.get('/containers/{name}/json', async (ctx) => {
    const c = svc.get(ctx.param('name'));
    const size = ctx.bool('size') && b.containerSize ? await b.containerSize(c.Id) : undefined;
    const view = inspectView(c, { execIds: b.exec.idsOf(c.Id), graphDriver: b.graphDriverData(c.Id), size });
    // The view shares objects with the stored record: gates work on a copy.
    return applyGates(CONTAINER_INSPECT_GATES, ctx.apiVersion, structuredClone(view) as Record<string, any>);
  });

  router.get('/containers/{name}/top', async (ctx) => {
    const c = svc.get(ctx.param('name'));
    // moby's errNotRunning / errContainerIsRestarting: conflicts, not bad requests.
    if (c.State.Restarting) throw new ConflictError(`Container ${c.Id} is restarting, wait until the container is running`);
    if (!c.State.Running) throw new ConflictError(`container ${c.Id} is not running`);
    return b.top(c, ctx.str('ps_args') || '-ef');
  });

  router.get('/containers/{name}/logs', (ctx) => streamLogs(ctx, b));

  router.get('/containers/{name}/stats', async (ctx) => {
    gateQuery(ctx.query, ctx.apiVersion, 'container.stats');
    const c = svc.get(ctx.param('name'));
    const stream = ctx.bool('stream', true);
    const oneShot = ctx.bool('one-shot');
    if (!stream) {
      // dockerd waits for a second sample so precpu_stats is filled, unless one-shot.
      const first = b.stats(c);
      if (oneShot || !c.State.Running) return first.json;
      await new Promise((r) => setTimeout(r, 500));
      return b.stats(c, first.sample).json;
    }
    ctx.handled = true;
    const res = ctx.res!;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    let previous: StatsSample | undefined;
    const tick = () => {
      if (res.destroyed) return;
      const s = b.stats(c, previous);
      previous = s.sample;
      res.write(JSON.stringify(s.json) + '\n');
      if (!c.State.Running) {
        clearInterval(timer);
        res.end();
      }
    };
    const timer = setInterval(tick, 1000);
    res.on('close', () => clearInterval(timer));
    tick();
  });

  router.post('/containers/{name}/resize', async (ctx) => {
    await svc.resize(ctx.param('name'), ttyDimension(ctx, 'h'), ttyDimension(ctx, 'w'));
    reply(ctx, 200);
  });

  router.post('/containers/{name}/start', async (ctx) => {
    if (ctx.str('checkpoint')) throw new NotImplementedError('checkpoint restore is not supported');
    await svc.start(ctx.param('name'));
  });

  router.post('/containers/{name}/stop', async (ctx) => {
    gateQuery(ctx.query, ctx.apiVersion, 'container.stop');
    await svc.stop(ctx.param('name'), stopOptions(ctx));
  });

  router.post('/containers/{name}/restart', async (ctx) => {
    gateQuery(ctx.query, ctx.apiVersion, 'container.restart');
    await svc.restart(ctx.param('name'), stopOptions(ctx));
  });

  router.post('/containers/{name}/kill', async (ctx) => {
    await svc.kill(ctx.param('name'), ctx.str('signal') || 'SIGKILL');
  });

  router.post('/containers/{name}/update', async (ctx) => {
    const body = (await ctx.body(decodeUpdateBody)) ?? {};
    applyGates(CONTAINER_UPDATE_GATES, ctx.apiVersion, body as Record<string, unknown>);
    const policy = body.RestartPolicy?.Name;
    if (policy && !RESTART_POLICIES.includes(policy)) {
      throw new InvalidArgumentError(`invalid restart policy: unknown policy '${policy}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`);
    }
    return svc.update(ctx.param('name'), body);
  });

  router.post('/containers/{name}/rename', (ctx) => {
    const name = ctx.str('name');
    if (!name) throw new InvalidArgumentError('Neither old nor new names may be empty');
    svc.rename(ctx.param('name'), name);
  });

  router.post('/containers/{name}/pause', async (ctx) => {
    await svc.pause(ctx.param('name'));
  });
  router.post('/containers/{name}/unpause', async (ctx) => {
    await svc.unpause(ctx.param('name'));
  });

  router.post('/containers/{name}/wait', async (ctx) => {
    gateQuery(ctx.query, ctx.apiVersion, 'container.wait');
    const condition = (ctx.str('condition') || 'not-running') as WaitCondition;
    if (!['not-running', 'next-exit', 'removed'].includes(condition)) {
      throw new InvalidArgumentError(`invalid condition: "${condition}"`);
    }
    const c = svc.get(ctx.param('name'));
    const pending = svc.wait(c.Id, condition);
    // Headers go out at once (API 1.30+): the docker CLI waits for them before it starts the container.
    ctx.handled = true;
    const res = ctx.res!;
    const headersFirst = behaves(ctx.apiVersion, 'waitHeadersFirst');
    if (headersFirst) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.flushHeaders();
    }
    const result = await pending;
    if (!headersFirst) res.writeHead(200, { 'Content-Type': 'application/json' });
    // Before 1.34 a failed removal was told by an empty body.
    if (condition === 'removed' && result.Error && !behaves(ctx.apiVersion, 'waitRemovalError')) return void res.end();
    res.end(JSON.stringify(result));
  });

  router.post('/containers/{name}/attach', (ctx) => attach(ctx, b));
  // The WebSocket form: output raw in binary frames whatever the TTY, as dockerd sends it.
  router.get('/containers/{name}/attach/ws', (ctx) => attach(ctx, b, true));
  router.post('/containers/{name}/attach/ws', (ctx) => attach(ctx, b, true));
  router.get('/containers/{name}/attach/ws', () => {
    throw new NotImplementedError('attach over websocket is not supported');
  });

  router.delete('/containers/{name}', async (ctx) => {
    if (ctx.bool('link')) {
      svc.removeLink(ctx.param('name')); // links (marked edit: networking)
      return reply(ctx, 204);
    }
    const c = svc.get(ctx.param('name'));
    await svc.remove(c.Id, { force: ctx.bool('force'), volumes: ctx.bool('v') });
    b.exec.forget(c.Id);
    reply(ctx, 204);
  });

  // links (marked edit: networking): a link's name is "/parent/alias", so it spans path segments.
  router.delete('/containers/{parent:.*}/{alias}', (ctx) => {
    const name = `${ctx.param('parent')}/${ctx.param('alias')}`;
    if (!ctx.bool('link')) svc.get(name);
    svc.removeLink(name);
    reply(ctx, 204);
  });

  // exec
  router.post('/containers/{name}/exec', async (ctx) => {
    const body = (await ctx.body(decodeExecCreateBody)) ?? {};
    applyGates(EXEC_CREATE_GATES, ctx.apiVersion, body as Record<string, unknown>);
    const created = b.exec.create(ctx.param('name'), {
      ...body,
      Cmd: body.Cmd ?? [],
      Env: body.Env ?? undefined,
      ConsoleSize: consoleSize(body.ConsoleSize),
    });
    reply(ctx, 201, created);
  });
  router.post('/exec/{id}/start', (ctx) => execStart(ctx, b));
  router.post('/exec/{id}/resize', async (ctx) => {
    await b.exec.resize(ctx.param('id'), ttyDimension(ctx, 'h'), ttyDimension(ctx, 'w'));
    reply(ctx, 200);
  });
  router.get('/exec/{id}/json', (ctx) => b.exec.inspect(ctx.param('id')));
}

const RESTART_POLICIES = ['no', 'always', 'on-failure', 'unless-stopped'];

/** A terminal's height or width: dockerd parses them as unsigned 16-bit-ish counts. */
function ttyDimension(ctx: RequestContext, name: 'h' | 'w'): number {
  const v = ctx.int(name, 0)!;
  if (v < 0 || v > 65535) throw new InvalidArgumentError(`invalid value for ${name}: ${ctx.str(name)}`);
  return v;
}

function consoleSize(v: number[] | null | undefined): [number, number] | null | undefined {
  return v && v.length >= 2 ? [v[0]!, v[1]!] : v === null ? null : undefined;
}

function labelsMatch(labels: Record<string, string>, want: string[], notWant: string[]): boolean {
  const has = (l: string) => {
    const i = l.indexOf('=');
    const k = i < 0 ? l : l.slice(0, i);
    return k in labels && (i < 0 || labels[k] === l.slice(i + 1));
  };
  return want.every(has) && !notWant.some(has);
}

function rfc3339Nano(t: string): string {
  // conmon writes 2026-11-28T03:01:28.897798770+00:00; Docker prints ...770Z.
  return t.replace(/\+00:00$/, 'Z');
}

async function streamLogs(ctx: RequestContext, b: ContainersBackend): Promise<void> {
  const c = b.containers.get(ctx.param('name'));
  const stdout = ctx.bool('stdout');
  const stderr = ctx.bool('stderr');
  if (!stdout && !stderr) throw new InvalidArgumentError('Bad parameters: you must choose at least one stream');
  const follow = ctx.bool('follow');
  const timestamps = ctx.bool('timestamps');
  const tailRaw = ctx.str('tail');
  const tail = tailRaw === undefined || tailRaw === '' || tailRaw === 'all' ? undefined : Number(tailRaw);
  if (tail !== undefined && (!Number.isInteger(tail) || tail < 0)) {
    throw new InvalidArgumentError(`invalid value for "tail": "${tailRaw}"`);
  }
  if (c.HostConfig?.LogConfig?.Type === 'none') throw new InvalidArgumentError('configured logging driver does not support reading');
  const since = parseTimeParam(ctx.str('since'), 'since');
  const until = parseTimeParam(ctx.str('until'), 'until');
  const tty = !!c.Config.Tty;
  ctx.handled = true;
  const res = ctx.res!;
  const type = !tty && behaves(ctx.apiVersion, 'multiplexedContentType') ? 'application/vnd.docker.multiplexed-stream' : 'application/vnd.docker.raw-stream';
  res.writeHead(200, { 'Content-Type': type });
  res.flushHeaders();
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  let corked = false;
  try {
    for await (const e of b.readLogs(c.LogPath, {
      // The log reader takes unix seconds.
      since: since === undefined ? undefined : since / 1e9,
      until: until === undefined ? undefined : until / 1e9,
      tail,
      follow: follow && c.State.Running,
      signal: abort.signal,
      until_stopped: follow ? b.containers.exited(c.Id) : undefined,
    })) {
      if ((e.stream === 'stdout' && !stdout) || (e.stream === 'stderr' && !stderr)) continue;
      const payload = timestamps ? Buffer.concat([Buffer.from(`${rfc3339Nano(e.time)} `), e.line]) : e.line;
      if (res.destroyed) break;
      // One HTTP chunk per burst of lines, not per line: a follower keeps up with a chatty container.
      if (!corked) {
        corked = true;
        res.cork();
        setImmediate(() => ((corked = false), res.uncork()));
      }
      res.write(tty ? payload : frame(e.stream === 'stdout' ? 1 : 2, payload));
    }
  } finally {
    if (!res.writableEnded) res.end();
  }
}

/** Pipes a runtime attach to a hijacked client connection, honouring the detach keys. */
function pipeAttach(
  a: RuntimeAttach,
  h: HijackedStream,
  o: { stdin: boolean; stdout: boolean; stderr: boolean; tty: boolean; detachKeys?: number[] },
): Promise<void> {
  if (o.stdout) a.stdout.on('data', (d: Buffer) => h.write(1, d));
  else a.stdout.resume();
  if (o.stderr) a.stderr.on('data', (d: Buffer) => h.write(2, d));
  else a.stderr.resume();
  if (o.stdin && h.input && a.stdin) {
    const keys = o.detachKeys ?? (o.tty ? [16, 17] : []);
    // Bytes that may begin the detach sequence are held back (as Docker's escape proxy does), so
    // a terminal never echoes half of it; they go through once the sequence breaks.
    let held: number[] = [];
    h.input.on('data', (d: Buffer) => {
      if (!keys.length) {
        a.stdin!.write(d);
        return;
      }
      const out: number[] = [];
      for (const byte of d) {
        if (byte === keys[held.length]) {
          held.push(byte);
          if (held.length === keys.length) {
            if (out.length) a.stdin!.write(Buffer.from(out));
            a.close();
            h.end();
            return;
          }
          continue;
        }
        out.push(...held);
        held = [];
        if (byte === keys[0]) held.push(byte);
        else out.push(byte);
      }
      if (out.length) a.stdin!.write(Buffer.from(out));
    });
    h.input.on('end', () => a.closeStdin());
    // Reading an exec's JSON body off the hijacked socket may have paused it; a paused stream
    // stays paused when a 'data' listener is added, and stdin would never flow.
    h.input.resume();
  } else {
    h.input?.resume();
  }
  h.onClose(() => a.close());
  return a.done;
}

function parseDetachKeys(spec: string | undefined): number[] | undefined {
  if (!spec) return undefined;
  return spec.split(',').map((k) => {
    const m = /^ctrl-(.)$/.exec(k);
    if (m) {
      const ch = m[1]!;
      if (ch >= 'a' && ch <= 'z') return ch.charCodeAt(0) - 96;
      if (ch === '@') return 0;
      if (ch === '[') return 27;
      if (ch === '\\') return 28;
      if (ch === ']') return 29;
      if (ch === '^') return 30;
      if (ch === '_') return 31;
      throw new InvalidArgumentError(`invalid detach keys (${spec}) provided`);
    }
    if (k.length === 1) return k.charCodeAt(0);
    throw new InvalidArgumentError(`invalid detach keys (${spec}) provided`);
  });
}

async function attach(ctx: RequestContext, b: ContainersBackend, ws = false): Promise<void> {
  const c = b.containers.get(ctx.param('name'));
  if (ws) gateQuery(ctx.query, ctx.apiVersion, 'container.attach-ws');
  const o = { stdin: ctx.bool('stdin'), stdout: ctx.bool('stdout'), stderr: ctx.bool('stderr'), tty: !!c.Config.Tty };
  const detachKeys = parseDetachKeys(ctx.str('detachKeys'));
  const h = ws ? websocketStream(ctx, { binary: behaves(ctx.apiVersion, 'websocketBinaryFrames') }) : hijack(ctx, { multiplexed: !o.tty });
  if (ctx.bool('logs')) {
    for await (const e of b.readLogs(c.LogPath, {})) {
      if ((e.stream === 'stdout' && o.stdout) || (e.stream === 'stderr' && o.stderr)) h.write(e.stream === 'stdout' ? 1 : 2, e.line);
    }
  }
  if (!ctx.bool('stream')) {
    h.end();
    return;
  }
  let closedEarly = false;
  h.onClose(() => {
    closedEarly = true;
    b.containers.cancelPendingAttach(c.Id);
  });
  let a: RuntimeAttach;
  try {
    a = await b.containers.attach(c.Id, { stdin: o.stdin });
  } catch (err) {
    if (!closedEarly) h.write(3, Buffer.from(`${streamErrorMessage(err, ctx.logger)}\n`));
    h.end();
    return;
  }
  if (closedEarly) {
    a.close();
    return;
  }
  await pipeAttach(a, h, { ...o, detachKeys });
  h.end();
}

async function execStart(ctx: RequestContext, b: ContainersBackend): Promise<void> {
  const id = ctx.param('id');
  const body = applyGates(EXEC_START_GATES, ctx.apiVersion, (await ctx.body(decodeExecStartBody)) ?? {});
  b.exec.prepareStart(id);
  if (body.Detach) {
    await b.exec.start(id, { detach: true });
    reply(ctx, 200);
    return;
  }
  const info = b.exec.inspect(id);
  // The exec's own Tty (from create) decides whether the process gets a terminal; start's Tty
  // only decides the framing of this stream, as in dockerd.
  const tty = body.Tty ?? info.ProcessConfig.tty;
  const h = hijack(ctx, { multiplexed: !tty });
  try {
    const { attach: a, exit } = await b.exec.start(id, { detach: false });
    if (a) {
      const detachKeys = parseDetachKeys(info.DetachKeys || undefined);
      await pipeAttach(a, h, { stdin: info.OpenStdin, stdout: info.OpenStdout, stderr: info.OpenStderr, tty: info.ProcessConfig.tty, detachKeys });
    }
    await exit;
  } catch (err) {
    h.write(1, Buffer.from(`${streamErrorMessage(err, ctx.logger)}\r\n`));
  }
  h.end();
}

/**
 * `t` and `signal` of stop and restart: `t` read as Go's strconv.Atoi reads it (negative: no limit),
 * `signal` only from API 1.42 on, as moby reads them.
 */
function stopOptions(ctx: RequestContext): { timeout?: number; signal?: string } {
  const t = ctx.str('t');
  if (t !== undefined && t !== '' && !/^[+-]?\d+$/.test(t)) throw new InvalidArgumentError(`strconv.Atoi: parsing ${JSON.stringify(t)}: invalid syntax`);
  return { timeout: t ? Number(t) : undefined, signal: ctx.atLeast('1.42') ? ctx.str('signal') : undefined };
}
