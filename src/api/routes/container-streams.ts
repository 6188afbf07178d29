import type { RequestContext } from '../request-context.js';
import type { Router } from '../router.js';
import { hijack } from '../streams/hijack.js';
import { frame } from '../streams/multiplexed.js';
import { websocketStream } from '../streams/websocket.js';
import { detachKeysParam } from '../streams/attach-proxy.js';
import { runAttach } from '../streams/attach-session.js';
import { behaves, gateQuery } from '../versions/index.js';
import type { ContainerAttachBackend, ContainerMonitorBackend, ContainerStateBackend } from './container-backend.js';
import { waitCondition } from './container-params.js';

type StreamBackend = ContainerMonitorBackend & Pick<ContainerStateBackend, 'wait'> & ContainerAttachBackend;

/** The container routes whose answer is a stream: logs, stats, wait, attach. */
export function registerContainerStreamRoutes(router: Router, b: StreamBackend): void {
  router.get('/containers/{name}/logs', (ctx) => streamLogs(ctx, b));
  router.get('/containers/{name}/stats', (ctx) => streamStats(ctx, b));
  router.post('/containers/{name}/wait', (ctx) => waitFor(ctx, b));
  router.post('/containers/{name}/attach', (ctx) => attach(ctx, b));
  // The WebSocket form: output raw in binary frames whatever the TTY, as dockerd sends it.
  router.get('/containers/{name}/attach/ws', (ctx) => attach(ctx, b, true));
  router.post('/containers/{name}/attach/ws', (ctx) => attach(ctx, b, true));
}

function rfc3339Nano(t: string): string {
  // conmon writes 2026-11-28T03:01:28.897798770+00:00; Docker prints ...770Z.
  return t.replace(/\+00:00$/, 'Z');
}

async function streamLogs(ctx: RequestContext, b: StreamBackend): Promise<void> {
  const abort = new AbortController();
  const timestamps = ctx.bool('timestamps');
  const { tty, entries } = b.logs(ctx.param('name'), {
    stdout: ctx.bool('stdout'),
    stderr: ctx.bool('stderr'),
    follow: ctx.bool('follow'),
    tail: ctx.str('tail'),
    since: ctx.str('since'),
    until: ctx.str('until'),
    signal: abort.signal,
  });
  ctx.handled = true;
  const res = ctx.res!;
  const type = !tty && behaves(ctx.apiVersion, 'multiplexedContentType') ? 'application/vnd.docker.multiplexed-stream' : 'application/vnd.docker.raw-stream';
  res.writeHead(200, { 'Content-Type': type });
  res.flushHeaders();
  res.on('close', () => abort.abort());
  let corked = false;
  try {
    for await (const e of entries) {
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

async function streamStats(ctx: RequestContext, b: StreamBackend): Promise<unknown> {
  gateQuery(ctx.query, ctx.apiVersion, 'container.stats');
  const stream = ctx.bool('stream', true);
  const abort = new AbortController();
  const samples = b.stats(ctx.param('name'), { stream, oneShot: ctx.bool('one-shot'), signal: abort.signal });
  if (!stream) {
    let last: unknown;
    for await (const s of samples) last = s;
    return last;
  }
  ctx.handled = true;
  const res = ctx.res!;
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.on('close', () => abort.abort());
  for await (const s of samples) {
    if (res.destroyed) break;
    res.write(JSON.stringify(s) + '\n');
  }
  if (!res.writableEnded) res.end();
}

async function waitFor(ctx: RequestContext, b: StreamBackend): Promise<void> {
  gateQuery(ctx.query, ctx.apiVersion, 'container.wait');
  const condition = waitCondition(ctx);
  const { result } = b.wait(ctx.param('name'), condition);
  // Headers go out at once (API 1.30+): the docker CLI waits for them before it starts the container.
  ctx.handled = true;
  const res = ctx.res!;
  const headersFirst = behaves(ctx.apiVersion, 'waitHeadersFirst');
  if (headersFirst) {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.flushHeaders();
  }
  const r = await result;
  if (!headersFirst) res.writeHead(200, { 'Content-Type': 'application/json' });
  // Before 1.34 a failed removal was told by an empty body.
  if (condition === 'removed' && r.Error && !behaves(ctx.apiVersion, 'waitRemovalError')) return void res.end();
  res.end(JSON.stringify(r));
}

async function attach(ctx: RequestContext, b: StreamBackend, ws = false): Promise<void> {
  const { id, tty } = b.attachTarget(ctx.param('name'));
  if (ws) gateQuery(ctx.query, ctx.apiVersion, 'container.attach-ws');
  const o = {
    stdin: ctx.bool('stdin'),
    stdout: ctx.bool('stdout'),
    stderr: ctx.bool('stderr'),
    tty,
    detachKeys: detachKeysParam(ctx.str('detachKeys')),
    logs: ctx.bool('logs'),
    stream: ctx.bool('stream'),
  };
  const h = ws ? websocketStream(ctx, { binary: behaves(ctx.apiVersion, 'websocketBinaryFrames') }) : hijack(ctx, { multiplexed: !tty });
  await runAttach(h, b, id, o, ctx.logger);
}
