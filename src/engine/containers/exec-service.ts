import { ConflictError, InvalidArgumentError, NotFoundError } from '../../common/errors.js';
import { newId } from '../../common/ids.js';
import type { Logger } from '../../common/logger.js';
import type { EventSink } from '../events/event-bus.js';
import type { OciProcess } from '../runtime/oci-spec.js';
import { RuntimeError, isDirectoryExec, startFailureExitCode } from '../runtime/runtime-errors.js';
import type { ContainerRecord } from './container-model.js';
import type { ContainerService } from './container-service.js';
import type { ContainerRuntimeDriver, RuntimeAttach } from './ports.js';

export interface ExecConfig {
  Cmd: string[];
  Env?: string[];
  User?: string;
  WorkingDir?: string;
  Tty?: boolean;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  Privileged?: boolean;
  DetachKeys?: string;
  ConsoleSize?: [number, number] | null;
}

interface ExecSession {
  id: string;
  containerId: string;
  config: ExecConfig;
  running: boolean;
  exitCode: number | null;
  pid: number;
  started: boolean;
  /** Set when a resize arrives before the process runs. */
  pendingSize?: [number, number];
  done: Promise<void>;
  finish: () => void;
}

export interface ExecServiceDeps {
  containers: ContainerService;
  runtime: ContainerRuntimeDriver;
  /** The container's process spec adjusted for this exec (args, env, user, cwd, tty, caps). */
  execProcess: (c: ContainerRecord, cfg: ExecConfig) => Promise<OciProcess>;
  events: EventSink;
  logger: Logger;
}

/** Exec sessions: created, started (attached or detached), inspected; kept until their container goes. */
export class ExecService {
  private readonly sessions = new Map<string, ExecSession>();

  constructor(private readonly d: ExecServiceDeps) {}

  create(containerRef: string, cfg: ExecConfig): { Id: string } {
    const c = this.d.containers.get(containerRef);
    if (!Array.isArray(cfg?.Cmd) || cfg.Cmd.length === 0) throw new InvalidArgumentError('No exec command specified');
    this.assertRunning(c);
    const id = newId();
    let finish!: () => void;
    const done = new Promise<void>((r) => (finish = r));
    this.sessions.set(id, { id, containerId: c.Id, config: cfg, running: false, exitCode: null, pid: 0, started: false, done, finish });
    this.emit(c, `exec_create: ${cfg.Cmd.join(' ')}`, id);
    return { Id: id };
  }

  private assertRunning(c: ContainerRecord): void {
    if (!c.State.Running) throw new ConflictError(`container ${c.Id} is not running`);
    if (c.State.Paused) throw new ConflictError(`Container ${c.Id} is paused, unpause the container before exec`);
    if (c.State.Restarting) throw new ConflictError(`Container ${c.Id} is restarting, wait until the container is running`);
  }

  private session(id: string): ExecSession {
    const s = this.sessions.get(id);
    if (!s) throw new NotFoundError(`No such exec instance: ${id}`);
    return s;
  }

  /** Validates a start before the connection is hijacked, so errors still get a JSON answer. */
  prepareStart(id: string): void {
    const s = this.session(id);
    if (s.started) throw new ConflictError(`Exec command ${id} has already run`);
    this.assertRunning(this.d.containers.get(s.containerId));
  }

  /**
   * Runs the process. With `attach` the caller gets the process's stdio; the promise of the exit
   * code settles when it ends either way.
   */
  async start(id: string, o: { detach: boolean }): Promise<{ attach?: RuntimeAttach; exit: Promise<number> }> {
    const s = this.session(id);
    if (s.started) throw new ConflictError(`Exec command ${id} has already run`);
    const c = this.d.containers.get(s.containerId);
    this.assertRunning(c);
    s.started = true;
    const cfg = s.config;
    let handle: Awaited<ReturnType<ContainerRuntimeDriver['exec']>>;
    try {
      const process = await this.d.execProcess(c, cfg);
      if (s.pendingSize) process.consoleSize = { height: s.pendingSize[0], width: s.pendingSize[1] };
      else if (cfg.ConsoleSize?.[0]) process.consoleSize = { height: cfg.ConsoleSize[0], width: cfg.ConsoleSize[1] };
      handle = await this.d.runtime.exec(c.Id, id, process, {
        tty: !!cfg.Tty,
        stdin: !o.detach && !!cfg.AttachStdin,
        attach: !o.detach,
      });
    } catch (err) {
      throw await this.startFailed(s, c, err as Error);
    }
    s.running = true;
    s.pid = handle.pid;
    this.emit(c, `exec_start: ${cfg.Cmd.join(' ')}`, id);
    const exit = handle.exit.then(
      (code) => {
        s.running = false;
        s.exitCode = code;
        s.finish();
        this.emit(c, 'exec_die', id, { exitCode: String(code) });
        return code;
      },
      (err) => {
        s.running = false;
        s.exitCode = 126;
        s.finish();
        this.d.logger.warn({ err, id }, 'exec failed');
        return 126;
      },
    );
    return { attach: handle.attach, exit };
  }

  /**
   * A process that never started, as moby's ContainerExecStart records it: the runtime's refusal
   * gives 126 (cannot be invoked), 127 (not found) or 128 (other), answered 400 for the first two;
   * a failure before the runtime was asked (user lookup, container gone) leaves moby's default 126.
   */
  private async startFailed(s: ExecSession, c: ContainerRecord, err: Error): Promise<Error> {
    // The container exited as the exec began: Docker's 409 (its GetRunningTask), not the runtime's words.
    const refused = err instanceof RuntimeError ? startFailureExitCode(err.message) : 126;
    // A command the runtime refused (126/127) needs no settling; any other failure may be the exit.
    const gone = await this.d.containers.hasStopped(c, { settle: !(err instanceof RuntimeError) || refused === 128 });
    const code = err instanceof RuntimeError && !gone ? refused : 126;
    s.exitCode = code;
    s.finish();
    if (gone) return new ConflictError(`container ${c.Id} is not running`);
    if (!(err instanceof RuntimeError) || code === 128) return err;
    const what = code === 127 ? 'executable file not found in $PATH' : isDirectoryExec(err.message) ? 'is a directory: permission denied' : 'permission denied';
    return new InvalidArgumentError(`OCI runtime exec failed: exec failed: unable to start container process: exec: "${s.config.Cmd[0] ?? ''}": ${what}: unknown`);
  }

  async resize(id: string, height: number, width: number): Promise<void> {
    const s = this.session(id);
    if (!s.running) {
      s.pendingSize = [height, width];
      return;
    }
    await this.d.runtime.execResize?.(s.containerId, id, height, width);
  }

  inspect(id: string) {
    const s = this.session(id);
    const c = this.d.containers.get(s.containerId);
    return {
      ID: s.id,
      Running: s.running,
      ExitCode: s.exitCode,
      ProcessConfig: {
        tty: !!s.config.Tty,
        entrypoint: s.config.Cmd[0],
        arguments: s.config.Cmd.slice(1),
        privileged: !!s.config.Privileged,
        ...(s.config.User ? { user: s.config.User } : {}),
      },
      OpenStdin: !!s.config.AttachStdin,
      OpenStderr: !!s.config.AttachStderr,
      OpenStdout: !!s.config.AttachStdout,
      CanRemove: false,
      ContainerID: c.Id,
      DetachKeys: s.config.DetachKeys ?? '',
      Pid: s.pid,
    };
  }

  idsOf(containerId: string): string[] {
    return [...this.sessions.values()].filter((s) => s.containerId === containerId).map((s) => s.id);
  }

  /** Drops the sessions of a removed container. */
  forget(containerId: string): void {
    for (const [id, s] of this.sessions) if (s.containerId === containerId) this.sessions.delete(id);
  }

  private emit(c: ContainerRecord, action: string, execId: string, extra: Record<string, string> = {}): void {
    this.d.events.emit({
      Type: 'container',
      Action: action,
      Actor: { ID: c.Id, Attributes: { ...(c.Config.Labels ?? {}), image: c.Config.Image, name: c.Name.slice(1), execID: execId, ...extra } },
    });
  }
}
