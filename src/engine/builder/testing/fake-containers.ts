import { createHash } from 'node:crypto';
import { NotFoundError } from '../../../common/errors.js';
import type { BuilderContainers } from '../build-types.js';
import type { FakeImages } from './fake-images.js';
import { copyTree, newId, writeFile, type FakeTree } from './fake-tree.js';

// Step containers that "run" through a hook instead of crun: it sees the command, the env and the
// files, and says what the process printed, wrote and exited with.

/** What a RUN does in the fake: its exit code, output, and files it writes. */
export interface FakeRunResult {
  code?: number;
  stdout?: string;
  stderr?: string;
  writes?: Record<string, string>;
}
export type FakeRunner = (cmd: string[], env: string[], files: FakeTree) => FakeRunResult | Promise<FakeRunResult>;

export interface FakeContainer {
  id: string;
  body: Record<string, unknown>;
  image: string;
  files: FakeTree;
  output: { stream: string; line: Buffer }[];
  started: boolean;
  killed: boolean;
  exited: Promise<number>;
  exit: (code: number) => void;
}

export class FakeContainers implements BuilderContainers {
  readonly all = new Map<string, FakeContainer>();
  readonly removed: string[] = [];
  /** What a started container does; by default it exits 0 and says nothing. */
  runner: FakeRunner = () => ({});

  constructor(private readonly images: FakeImages) {}

  async create(body: Record<string, unknown>): Promise<string> {
    const image = String(body.Image);
    const files = copyTree(this.images.files.get(this.images.getImage(image).id)!);
    const id = createHash('sha256').update(newId('ctr')).digest('hex');
    let exit: (code: number) => void = () => undefined;
    const exited = new Promise<number>((resolve) => (exit = resolve));
    this.all.set(id, { id, body, image, files, output: [], started: false, killed: false, exited, exit });
    return id;
  }

  get(id: string): FakeContainer {
    const c = this.all.get(id);
    if (!c) throw new NotFoundError(`No such container: ${id}`);
    return c;
  }

  async start(id: string): Promise<void> {
    const c = this.get(id);
    c.started = true;
    // The process runs on its own: start returns once it is under way, as the real one does.
    void this.execute(c);
  }

  private async execute(c: FakeContainer): Promise<void> {
    const cmd = [...((c.body.Entrypoint as string[] | null) ?? []), ...((c.body.Cmd as string[] | null) ?? [])];
    const r = await this.runner(cmd, (c.body.Env as string[] | null) ?? [], c.files);
    for (const [path, text] of Object.entries(r.writes ?? {})) writeFile(c.files, path, { type: 'file', mode: 0o644, data: Buffer.from(text), owner: '0:0' });
    if (r.stdout) c.output.push({ stream: 'stdout', line: Buffer.from(r.stdout) });
    if (r.stderr) c.output.push({ stream: 'stderr', line: Buffer.from(r.stderr) });
    c.exit(r.code ?? 0);
  }

  wait(id: string): Promise<number> {
    return this.get(id).exited;
  }

  async kill(id: string): Promise<void> {
    const c = this.get(id);
    c.killed = true;
    c.exit(137);
  }

  async remove(id: string): Promise<void> {
    this.get(id);
    this.all.delete(id);
    this.removed.push(id);
  }

  logPath(id: string): string {
    return `/fake-logs/${id}`;
  }
}
