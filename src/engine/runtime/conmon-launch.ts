import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { SyncPipeReader } from './sync-pipe.js';

export const CONMON_PATH = existsSync('/usr/bin/conmon') ? '/usr/bin/conmon' : 'conmon';

export interface ConmonLaunch {
  child: ChildProcess;
  /** `{"data": pid}` (or -1 + message), then for exec `{"data": exitCode}`, then EOF. */
  sync: SyncPipeReader;
  /** Exec with --exec-attach: one byte lets conmon go on, a second one starts the process. */
  startPipe?: Writable;
  /** Exec with --exec-attach: `{"data": 0}` once the attach socket listens. */
  attach?: SyncPipeReader;
}

/**
 * Spawns conmon with its sync pipe (and for an attached exec the start and attach pipes) as extra
 * fds. conmon forks a monitor that outlives berthd and exits itself within a few ms.
 */
/** `cwd` is where conmon drops its `oom` marker: the bundle, where the runtime looks for it. */
export function launchConmon(args: string[], withAttachPipes: boolean, cwd: string): ConmonLaunch {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', _OCI_SYNCPIPE: '3' };
  if (withAttachPipes) Object.assign(env, { _OCI_STARTPIPE: '4', _OCI_ATTACHPIPE: '5' });
  const child = spawn(CONMON_PATH, args, {
    cwd,
    stdio: ['ignore', 'ignore', 'ignore', 'pipe', ...(withAttachPipes ? (['pipe', 'pipe'] as const) : [])],
    env,
    detached: true, // its own process group: a Ctrl-C to a foreground berthd must not reach it
  });
  child.on('error', () => {}); // surfaces as EOF on the sync pipe
  child.unref();
  const fds = child.stdio as unknown as (Readable | Writable | null)[];
  const syncStream = fds[3] as Readable;
  const launch: ConmonLaunch = { child, sync: new SyncPipeReader(syncStream) };
  if (withAttachPipes) {
    launch.startPipe = fds[4] as Writable;
    launch.startPipe.on('error', () => {});
    launch.attach = new SyncPipeReader(fds[5] as Readable);
  }
  return launch;
}

/** Lets go of conmon's pipes so berthd holds no fd for a container it no longer waits on. */
export function releaseConmon(l: ConmonLaunch): void {
  for (const s of (l.child.stdio as unknown as (Readable | null)[]).slice(3)) s?.destroy();
}
