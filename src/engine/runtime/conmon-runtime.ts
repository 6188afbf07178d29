import { constants, existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NotFoundError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { BerthPaths } from '../../common/paths.js';
import { connectAttachSocket, type AttachStream } from './attach-relay.js';
import { launchConmon, releaseConmon } from './conmon-launch.js';
import { isDockerResources, resourcesFromDocker, type DockerResources } from './cgroup-resources.js';
import { cgroupSawOomKill, removeContainerCgroups, updateContainerCgroup } from './container-cgroups.js';
import { waitExitFile } from './exit-file.js';
import { cgroupManager, hostInfo } from './host-setup.js';
import type { OciLinuxResources, OciProcess, OciSpec } from './oci-spec.js';
import { RuntimeCli } from './runtime-cli.js';
import { RuntimeError } from './runtime-errors.js';

/** The OCI runtimes berthd may run, by name (daemon.json `runtimes`). */
export type RuntimeTable = Record<string, { path: string; runtimeArgs?: string[] }>;

export type { AttachStream } from './attach-relay.js';

export interface CreateOptions {
  id: string;
  name: string;
  bundleDir: string;
  spec: OciSpec;
  logPath: string;
  /** 'none': conmon keeps no log (attach still works). */
  logDriver?: 'k8s-file' | 'none';
  tty: boolean;
  openStdin: boolean;
  stdinOnce: boolean;
  runtime?: string;
}

export interface RuntimeState {
  status: 'created' | 'running' | 'paused' | 'stopped';
  pid: number;
}

export interface ExitStatus {
  exitCode: number;
  oomKilled: boolean;
  finishedAt: Date;
}

export interface ExecOptions {
  tty: boolean;
  stdin: boolean;
  /** Connect the streams before the process starts, so no output is lost. */
  attach: boolean;
}

export interface ExecSession {
  pid: number;
  /** The exec's stdio, when started with attach. */
  attach?: AttachStream;
  /** The exec process's exit code; its session directory is gone once this resolves. */
  exit: Promise<number>;
}

/** What berth remembers about a container's monitor, in its run dir, so a new berthd finds it. */
interface RuntimeMeta {
  runtime: string;
  bundleDir: string;
  openStdin: boolean;
  tty: boolean;
}

export interface ContainerRuntimeOptions {
  paths: BerthPaths;
  runtimes: RuntimeTable;
  defaultRuntime: string;
  logger: Logger;
}

/** Exit status Docker reports when the monitor vanished without recording one. */
const UNKNOWN_EXIT = 255;

/**
 * Runs containers with crun/runc under conmon, one monitor per container (as podman does), so
 * containers outlive berthd. Every method works from files under the container's run dir, so a
 * fresh instance (after a berthd restart) can manage containers an earlier one created.
 */
export class ContainerRuntime {
  private readonly clis = new Map<string, RuntimeCli>();
  private readonly metas = new Map<string, RuntimeMeta>();
  /** Containers this process has deleted from the runtime since their last create: nothing left to undo. */
  private readonly released = new Set<string>();

  constructor(private readonly o: ContainerRuntimeOptions) {
    if (!o.runtimes[o.defaultRuntime]) throw new NotFoundError(`unknown runtime: ${o.defaultRuntime}`);
  }

  private cli(name: string): RuntimeCli {
    let c = this.clis.get(name);
    if (!c) {
      const r = this.o.runtimes[name];
      if (!r) throw new NotFoundError(`unknown or invalid runtime name: ${name}`);
      c = new RuntimeCli(r.path, r.runtimeArgs, cgroupManager());
      this.clis.set(name, c);
    }
    return c;
  }

  private runDir(id: string): string {
    return this.o.paths.containerRunDir(id);
  }

  private meta(id: string): RuntimeMeta | undefined {
    let m = this.metas.get(id);
    if (!m) {
      try {
        m = JSON.parse(readFileSync(join(this.runDir(id), 'meta.json'), 'utf8')) as RuntimeMeta;
        this.metas.set(id, m);
      } catch {
        return undefined;
      }
    }
    return m;
  }

  private cliFor(id: string): RuntimeCli {
    return this.cli(this.meta(id)?.runtime ?? this.o.defaultRuntime);
  }

  private requireMeta(id: string): RuntimeMeta {
    const m = this.meta(id);
    if (!m) throw new NotFoundError(`No such container: ${id}`);
    return m;
  }

  /** Writes config.json and has conmon run `crun create`; the container is then `created`. */
  async create(c: CreateOptions): Promise<{ pid: number }> {
    const runtime = c.runtime ?? this.o.defaultRuntime;
    const cli = this.cli(runtime);
    this.released.delete(c.id);
    const run = this.runDir(c.id);
    await rm(run, { recursive: true, force: true });
    await Promise.all([mkdir(join(run, 'exits'), { recursive: true }), mkdir(c.bundleDir, { recursive: true })]);
    // Leftovers of an earlier run of the same bundle would be taken for this one's.
    await Promise.all(['oom', 'attach', 'ctl', 'winsz'].map((f) => rm(join(c.bundleDir, f), { force: true })));
    const meta: RuntimeMeta = { runtime, bundleDir: c.bundleDir, openStdin: c.openStdin, tty: c.tty };
    await Promise.all([
      writeFile(join(c.bundleDir, 'config.json'), JSON.stringify(c.spec)),
      writeFile(join(run, 'meta.json'), JSON.stringify(meta)),
    ]);
    this.metas.set(c.id, meta);

    const args = [
      '--api-version', '1',
      '-c', c.id,
      '-u', c.id,
      '-n', c.name,
      '-r', cli.path,
      '-b', c.bundleDir,
      '-p', join(run, 'pidfile'),
      '-P', join(run, 'conmon.pid'),
      '--exit-dir', join(run, 'exits'),
      '--full-attach',
      '-l', c.logDriver === 'none' ? 'none:' : `k8s-file:${c.logPath}`,
      '--log-level', 'info',
      ...cli.globalArgs.flatMap((a) => ['--runtime-arg', a]),
    ];
    if (c.tty) args.push('-t');
    if (c.openStdin) {
      args.push('-i');
      if (!c.stdinOnce) args.push('--leave-stdin-open');
    }
    const launch = launchConmon(args, false, c.bundleDir);
    const msg = await launch.sync.next();
    releaseConmon(launch);
    if (!msg || msg.data < 0) {
      await this.cleanup(c.id);
      throw new RuntimeError(msg?.message?.trim() || 'conmon exited before reporting the container pid', 'create');
    }
    this.o.logger.debug({ id: c.id, pid: msg.data }, 'container created');
    return { pid: msg.data };
  }

  async start(id: string): Promise<void> {
    await this.cliFor(id).run(['start', id]);
  }

  async kill(id: string, signal: number | string): Promise<void> {
    const sig = typeof signal === 'number' ? String(signal) : signal.replace(/^SIG/i, '').toUpperCase();
    await this.cliFor(id).run(['kill', id, sig]);
  }

  async pause(id: string): Promise<void> {
    await this.cliFor(id).run(['pause', id]);
  }

  async resume(id: string): Promise<void> {
    await this.cliFor(id).run(['resume', id]);
  }

  /**
   * Applies new cgroup limits to a live container: OCI linux.resources or Docker's HostConfig fields.
   * berth writes them itself through the cgroup driver (as runc's update does), with the runtime's
   * v1→v2 conversion, so one tested path serves every runtime and both cgroup layouts.
   */
  async update(id: string, resources: OciLinuxResources | DockerResources | Record<string, unknown>): Promise<void> {
    const oci = isDockerResources(resources) ? resourcesFromDocker(resources, hostInfo()) : (resources as OciLinuxResources);
    this.requireMeta(id);
    try {
      updateContainerCgroup(id, oci);
    } catch (err) {
      // The kernel's refusal (EINVAL below current usage, EBUSY…) in dockerd's words.
      throw new RuntimeError(`Cannot update container ${id}: ${(err as Error).message}`, 'update');
    }
  }

  /** The runtime's view of the container, or null when the runtime does not know it. */
  async state(id: string): Promise<RuntimeState | null> {
    try {
      return runtimeState(JSON.parse(await this.cliFor(id).run(['state', id])) as ListedState);
    } catch (err) {
      if (err instanceof RuntimeError && /does not exist|no such file|not found/i.test(err.message)) return null;
      throw err;
    }
  }

  /**
   * state() of many containers with one `list` per runtime instead of one `state` exec each: on a
   * berthd restart with hundreds of containers every exec is a fork of the whole daemon.
   */
  async states(ids: readonly string[]): Promise<Map<string, RuntimeState | null>> {
    const byCli = new Map<RuntimeCli, string[]>();
    for (const id of ids) byCli.set(this.cliFor(id), [...(byCli.get(this.cliFor(id)) ?? []), id]);
    const result = new Map<string, RuntimeState | null>();
    await Promise.all(
      [...byCli].map(async ([cli, group]) => {
        const listed = (JSON.parse(await cli.run(['list', '--format', 'json'])) ?? []) as ListedState[];
        const byId = new Map(listed.map((e) => [e.id, e]));
        for (const id of group) result.set(id, byId.has(id) ? runtimeState(byId.get(id)!) : null);
      }),
    );
    return result;
  }

  /** The pid of the container's conmon if it is still alive. */
  monitorPid(id: string): number | null {
    try {
      const pid = Number(readFileSync(join(this.runDir(id), 'conmon.pid'), 'utf8').trim());
      if (!pid) return null;
      // The pid may have been reused by something else after a reboot: check it is our conmon.
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      return cmdline.includes('conmon') && cmdline.includes(id) ? pid : null;
    } catch {
      return null;
    }
  }

  /**
   * Resolves when the container has exited, from conmon's exit file: works across berthd restarts.
   * Reads OOM evidence (conmon's BUNDLE/oom, the cgroup's oom_kill counter) before delete removes it.
   */
  async waitExit(id: string, signal?: AbortSignal): Promise<ExitStatus> {
    const meta = this.requireMeta(id);
    const r = await waitExitFile(join(this.runDir(id), 'exits'), id, () => this.monitorPid(id) !== null, signal);
    const oomKilled = existsSync(join(meta.bundleDir, 'oom')) || cgroupSawOomKill(id);
    return r ? { exitCode: r.exitCode, oomKilled, finishedAt: r.finishedAt } : { exitCode: UNKNOWN_EXIT, oomKilled, finishedAt: new Date() };
  }

  /** Removes the container from the runtime (force: kill it first) and everything berth kept for it. */
  async delete(id: string, opts: { force?: boolean } = {}): Promise<void> {
    // An exited container is deleted when it exits; `rm` then needs no second runtime exec.
    if (this.released.has(id)) return;
    try {
      await this.cliFor(id).run(['delete', ...(opts.force ? ['--force'] : []), id]);
    } catch (err) {
      if (!(err instanceof RuntimeError && /does not exist|no such file/i.test(err.message))) throw err;
    }
    if (opts.force && this.monitorPid(id) !== null) {
      // Let conmon record the exit before its directory goes, so no writer is left half-way.
      const ac = new AbortController();
      const t = setTimeout(() => ac.abort(), 2000);
      await waitExitFile(join(this.runDir(id), 'exits'), id, () => this.monitorPid(id) !== null, ac.signal).catch(() => null);
      clearTimeout(t);
    }
    await this.removeLeftovers(id);
    this.released.add(id);
  }

  /** Connects to the container's stdio through conmon; call between create and start to keep all output. */
  async attach(id: string, o: { stdin?: boolean } = {}): Promise<AttachStream> {
    const meta = this.requireMeta(id);
    return connectAttachSocket(join(meta.bundleDir, 'attach'), meta.openStdin && (o.stdin ?? true));
  }

  /** Resizes the container's TTY. */
  async resize(id: string, height: number, width: number): Promise<void> {
    await writeCtl(join(this.requireMeta(id).bundleDir, 'ctl'), `1 ${height} ${width}\n`);
  }

  /**
   * Has conmon close the container's log and open its path again (ctl message 2), after berth
   * renamed the file away to rotate it.
   */
  async reopenLog(id: string): Promise<void> {
    await writeCtl(join(this.requireMeta(id).bundleDir, 'ctl'), '2 0 0\n');
  }

  private execDir(id: string, execId: string): string {
    return join(this.runDir(id), 'exec', execId);
  }

  /** Runs a process in a running container under its own conmon (`crun exec`). */
  async exec(id: string, execId: string, proc: OciProcess, o: ExecOptions): Promise<ExecSession> {
    const cli = this.cliFor(id);
    const dir = this.execDir(id, execId);
    await mkdir(join(dir, 'exits'), { recursive: true });
    const specFile = join(dir, 'process.json');
    await writeFile(specFile, JSON.stringify({ ...proc, terminal: o.tty }));
    const args = [
      '--api-version', '1',
      '-c', id,
      '-u', execId,
      '-n', id,
      '-r', cli.path,
      '-b', dir,
      '-p', join(dir, 'exec_pid'),
      '--exit-dir', join(dir, 'exits'),
      '--full-attach',
      '-l', `k8s-file:${join(dir, 'exec.log')}`,
      '--log-level', 'info',
      '-e', '--exec-process-spec', specFile,
      ...cli.globalArgs.flatMap((a) => ['--runtime-arg', a]),
    ];
    if (o.tty) args.push('-t');
    if (o.stdin) args.push('-i');
    if (o.attach) args.push('--exec-attach');
    const launch = launchConmon(args, o.attach, dir);
    let streams: AttachStream | null = null;
    const fail = async (message: string): Promise<never> => {
      releaseConmon(launch);
      streams?.close();
      await rm(dir, { recursive: true, force: true });
      throw new RuntimeError(message, 'exec');
    };
    if (o.attach) {
      launch.startPipe!.write('0');
      const ready = await launch.attach!.next();
      if (!ready || ready.data < 0) return fail(ready?.message?.trim() || 'conmon exited before the exec attach socket was ready');
      try {
        streams = await connectAttachSocket(join(dir, 'attach'), o.stdin);
      } catch (err) {
        return fail((err as Error).message);
      }
      launch.startPipe!.write('0');
    }
    const started = await launch.sync.next();
    if (!started || started.data < 0) return fail(started?.message?.trim() || 'conmon exited before reporting the exec pid');
    const exit = launch.sync.next().then(async (m) => {
      let code = m && m.data >= 0 ? m.data : UNKNOWN_EXIT;
      if (!m) {
        const f = await readFile(join(dir, 'exits', id), 'utf8').catch(() => '');
        if (f.trim()) code = Number.parseInt(f, 10);
      }
      releaseConmon(launch);
      await rm(dir, { recursive: true, force: true });
      return code;
    });
    return { pid: started.data, ...(streams ? { attach: streams } : {}), exit };
  }

  async execResize(id: string, execId: string, height: number, width: number): Promise<void> {
    await writeCtl(join(this.execDir(id, execId), 'ctl'), `1 ${height} ${width}\n`);
  }

  /** Containers whose conmon is still alive: a restarted berthd re-adopts these. */
  listLive(): string[] {
    const root = join(this.o.paths.execRoot, 'containers');
    let ids: string[];
    try {
      ids = readdirSync(root);
    } catch {
      return [];
    }
    return ids.filter((id) => this.monitorPid(id) !== null);
  }

  /** Removes whatever the runtime and berth left for a container that no longer exists. */
  async cleanup(id: string): Promise<void> {
    if (!this.released.has(id)) await this.cliFor(id).run(['delete', '--force', id]).catch(() => undefined);
    await this.removeLeftovers(id);
    this.released.delete(id);
  }

  private async removeLeftovers(id: string): Promise<void> {
    const remaining = removeContainerCgroups(id);
    if (remaining.length) this.o.logger.warn({ id, remaining }, 'cgroups still busy after delete');
    await rm(this.runDir(id), { recursive: true, force: true });
    this.metas.delete(id);
  }
}

/** Whether a pid is a live process: neither gone nor a zombie (state Z/X in /proc/<pid>/stat). */
function processAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZXx]$/.test(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
  } catch {
    return false;
  }
}

/** Writes one control message to conmon's ctl FIFO; never blocks when conmon is gone. */
async function writeCtl(fifo: string, line: string): Promise<void> {
  let fh;
  try {
    fh = await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw new RuntimeError(`cannot reach the container's monitor: ${(err as Error).message}`, 'ctl');
  }
  try {
    await fh.write(line);
  } finally {
    await fh.close();
  }
}

/** One container as `crun|runc state` or `list --format json` print it. */
interface ListedState {
  id?: string;
  status: string;
  pid?: number;
}

function runtimeState(out: ListedState): RuntimeState {
  let status = (['created', 'running', 'paused', 'stopped'] as const).find((s) => s === out.status) ?? 'stopped';
  // The runtime calls an exited process that its monitor has not reaped yet running.
  if (status === 'running' && out.pid && !processAlive(out.pid)) status = 'stopped';
  return { status, pid: status === 'stopped' ? 0 : (out.pid ?? 0) };
}
