import type { RequestContext } from '../request-context.js';
import type { Router } from '../router.js';
import { reply } from '../server.js';
import { streamErrorMessage } from '../error-status.js';
import { hijack } from '../streams/hijack.js';
import { detachKeysParam, pipeAttach } from '../streams/attach-proxy.js';
import { applyGates, EXEC_CREATE_GATES, EXEC_START_GATES } from '../versions/index.js';
import { decodeExecCreateBody, decodeExecStartBody } from '../schemas/container-bodies.js';
import type { ExecBackend } from './container-backend.js';
import { consoleSize, ttyDimension } from './container-params.js';

/** POST /containers/{name}/exec and the /exec/{id} routes. */
export function registerExecRoutes(router: Router, exec: ExecBackend): void {
  router.post('/containers/{name}/exec', async (ctx) => {
    const body = (await ctx.body(decodeExecCreateBody)) ?? {};
    applyGates(EXEC_CREATE_GATES, ctx.apiVersion, body as Record<string, unknown>);
    const created = exec.create(ctx.param('name'), {
      ...body,
      Cmd: body.Cmd ?? [],
      Env: body.Env ?? undefined,
      ConsoleSize: consoleSize(body.ConsoleSize),
    });
    reply(ctx, 201, created);
  });
  router.post('/exec/{id}/start', (ctx) => execStart(ctx, exec));
  router.post('/exec/{id}/resize', async (ctx) => {
    await exec.resize(ctx.param('id'), ttyDimension(ctx, 'h'), ttyDimension(ctx, 'w'));
    reply(ctx, 200);
  });
  router.get('/exec/{id}/json', (ctx) => exec.inspect(ctx.param('id')));
}

async function execStart(ctx: RequestContext, exec: ExecBackend): Promise<void> {
  const id = ctx.param('id');
  const body = applyGates(EXEC_START_GATES, ctx.apiVersion, (await ctx.body(decodeExecStartBody)) ?? {});
  exec.prepareStart(id);
  if (body.Detach) {
    await exec.start(id, { detach: true });
    reply(ctx, 200);
    return;
  }
  const info = exec.inspect(id);
  // The exec's own Tty (from create) decides whether the process gets a terminal; start's Tty
  // only decides the framing of this stream, as in dockerd.
  const tty = body.Tty ?? info.ProcessConfig.tty;
  const h = hijack(ctx, { multiplexed: !tty });
  try {
    const { attach: a, exit } = await exec.start(id, { detach: false });
    if (a) {
      const detachKeys = detachKeysParam(info.DetachKeys || undefined);
      await pipeAttach(a, h, { stdin: info.OpenStdin, stdout: info.OpenStdout, stderr: info.OpenStderr, tty: info.ProcessConfig.tty, detachKeys });
    }
    await exit;
  } catch (err) {
    h.write(1, Buffer.from(`${streamErrorMessage(err, ctx.logger)}\r\n`));
  }
  h.end();
}
