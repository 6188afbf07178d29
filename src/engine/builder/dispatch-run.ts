import { advance, useCache, withContainer } from './build-step.js';
import { BuildError, type BuildState, type Stage } from './build-types.js';
import { envMap, mergeEnv } from './build-vars.js';
import type { StageDispatcher } from './dispatch-types.js';

// RUN: the command in a container of the stage's image, its output streamed, its changes committed.

export const dispatchRun: StageDispatcher = async (b, s, { ins, args }) => {
  const cmd = ins.json ?? [...s.shell, args];
  // Docker's cache key and history for RUN name the build args in force that no ENV overrides,
  // sorted: "|2 A=b C=d /bin/sh -c …".
  const envKeys = new Set(Object.keys(envMap(s.config.Env)));
  const argEnv = Object.entries(s.args)
    .filter(([k]) => !envKeys.has(k))
    .map(([k, v]) => `${k}=${v}`)
    .sort();
  const shown = cmd.join(' ');
  const createdBy = argEnv.length ? `|${argEnv.length} ${argEnv.join(' ')} ${shown}` : shown;
  if (useCache(b, s, createdBy, s.config)) return;
  const env = mergeEnv(s.config.Env ?? [], argEnv);
  const id = await withContainer(b, s, createdBy, (cid) => runStep(b, s, cid, cmd, createdBy), cmd, env);
  advance(b, s, id);
};

/** Starts the step's container, streams its output, and commits it if the command succeeded. */
async function runStep(b: BuildState, s: Stage, cid: string, cmd: string[], createdBy: string): Promise<string> {
  const { d, o, say } = b;
  const exit = d.containers.wait(cid);
  await d.containers.start(cid);
  // A build the client abandoned does not leave its step running.
  let canceled = false;
  const cancel = () => {
    canceled = true;
    d.containers.kill(cid).catch(() => undefined);
  };
  if (o.signal?.aborted) cancel();
  o.signal?.addEventListener('abort', cancel, { once: true });
  void exit.finally(() => o.signal?.removeEventListener('abort', cancel));
  // As Docker's builder: a step's stderr in red (ANSI 91), its stdout as it is.
  for await (const e of d.followLogs(d.containers.logPath(cid), exit)) {
    say(e.stream === 'stderr' ? `\x1b[91m${e.line.toString('utf8')}\x1b[0m` : e.line.toString('utf8'));
  }
  const code = await exit;
  if (canceled) throw new BuildError('context canceled');
  if (code !== 0) throw new BuildError(`The command '${cmd.join(' ')}' returned a non-zero code: ${code}`, code);
  return d.commit(cid, s.config, createdBy, s.maintainer);
}
