import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import tar, { type Header } from 'tar-stream';

// The docker CLI's context store, byte for byte where it matters, so a context made by either tool
// works in both: <config>/contexts/meta/<sha256(name)>/meta.json, the TLS files in
// <config>/contexts/tls/<sha256(name)>/docker/{ca,cert,key}.pem, the current one in config.json.

export interface DockerEndpoint {
  Host: string;
  SkipTLSVerify: boolean;
}

export interface ContextMeta {
  Name: string;
  Metadata: { Description?: string; [k: string]: unknown };
  Endpoints: { docker?: DockerEndpoint; [k: string]: unknown };
}

export type TlsMaterial = Partial<Record<'ca.pem' | 'cert.pem' | 'key.pem', Buffer>>;

export const TLS_FILES = ['ca.pem', 'cert.pem', 'key.pem'] as const;
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.+-]+$/;

export function contextId(name: string): string {
  return createHash('sha256').update(name).digest('hex');
}

export function validateContextName(name: string): void {
  if (name === 'default') throw new Error('"default" is a reserved context name');
  if (!NAME.test(name)) throw new Error(`context name "${name}" is invalid, names are validated against regexp "${NAME.source}"`);
}

export class ContextStore {
  constructor(readonly configDir: string) {}

  metaDir(name: string): string {
    return join(this.configDir, 'contexts', 'meta', contextId(name));
  }

  tlsDir(name: string): string {
    return join(this.configDir, 'contexts', 'tls', contextId(name));
  }

  list(): ContextMeta[] {
    const root = join(this.configDir, 'contexts', 'meta');
    let ids: string[];
    try {
      ids = readdirSync(root);
    } catch {
      return [];
    }
    const out: ContextMeta[] = [];
    for (const id of ids) {
      try {
        out.push(JSON.parse(readFileSync(join(root, id, 'meta.json'), 'utf8')) as ContextMeta);
      } catch {
        /* not a context */
      }
    }
    return out.sort((a, b) => a.Name.localeCompare(b.Name));
  }

  get(name: string): ContextMeta | undefined {
    try {
      return JSON.parse(readFileSync(join(this.metaDir(name), 'meta.json'), 'utf8')) as ContextMeta;
    } catch {
      return undefined;
    }
  }

  tls(name: string): TlsMaterial {
    const dir = join(this.tlsDir(name), 'docker');
    const out: TlsMaterial = {};
    for (const f of TLS_FILES) {
      try {
        out[f] = readFileSync(join(dir, f));
      } catch {
        /* absent */
      }
    }
    return out;
  }

  save(meta: ContextMeta, tls: TlsMaterial = {}): void {
    const dir = this.metaDir(meta.Name);
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta), { mode: 0o644 });
    rmSync(this.tlsDir(meta.Name), { recursive: true, force: true });
    const files = TLS_FILES.filter((f) => tls[f]);
    if (files.length) {
      const tdir = join(this.tlsDir(meta.Name), 'docker');
      mkdirSync(tdir, { recursive: true, mode: 0o700 });
      chmodSync(join(this.configDir, 'contexts', 'tls'), 0o700);
      for (const f of files) writeFileSync(join(tdir, f), tls[f]!, { mode: 0o600 });
    }
  }

  remove(name: string): void {
    rmSync(this.metaDir(name), { recursive: true, force: true });
    rmSync(this.tlsDir(name), { recursive: true, force: true });
  }

  private readConfig(): Record<string, unknown> {
    try {
      return JSON.parse(readFileSync(join(this.configDir, 'config.json'), 'utf8')) as Record<string, unknown>;
    } catch {
      return {};
    }
  }

  /** The context config.json names, "default" when none. */
  current(): string {
    const c = this.readConfig().currentContext;
    return typeof c === 'string' && c ? c : 'default';
  }

  setCurrent(name: string): void {
    const config = this.readConfig();
    if (name === 'default') delete config.currentContext;
    else config.currentContext = name;
    mkdirSync(this.configDir, { recursive: true, mode: 0o700 });
    const file = join(this.configDir, 'config.json');
    writeFileSync(file, JSON.stringify(config, null, '\t'), { mode: existsSync(file) ? undefined : 0o600 });
  }

  /** docker's export format: a tar of meta.json and tls/docker/*.pem. */
  async export(name: string): Promise<Buffer> {
    const meta = this.get(name);
    if (!meta) throw new Error(`context "${name}" does not exist`);
    const pack = tar.pack();
    const chunks: Buffer[] = [];
    pack.on('data', (c: unknown) => chunks.push(c as Buffer));
    const done = new Promise<void>((resolve, reject) => pack.on('end', resolve).on('error', reject));
    const add = (h: Partial<Header> & { name: string }, body: Buffer = Buffer.alloc(0)) =>
      new Promise<void>((resolve, reject) => pack.entry({ mtime: new Date(0), ...h }, body, (err) => (err ? reject(err) : resolve())));
    await add({ name: 'meta.json', mode: 0o644 }, Buffer.from(JSON.stringify(meta)));
    const tls = this.tls(name);
    const files = TLS_FILES.filter((f) => tls[f]);
    if (files.length) {
      await add({ name: 'tls', type: 'directory', mode: 0o700 });
      await add({ name: 'tls/docker', type: 'directory', mode: 0o700 });
      for (const f of files) await add({ name: `tls/docker/${f}`, mode: 0o600 }, tls[f]);
    }
    pack.finalize();
    await done;
    return Buffer.concat(chunks);
  }

  /** Reads an exported context (tar) and stores it under `name`. */
  async import(name: string, archive: Buffer): Promise<void> {
    const extract = tar.extract();
    const files = new Map<string, Buffer>();
    const done = new Promise<void>((resolve, reject) => {
      extract.on('entry', (h, stream, next) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: unknown) => chunks.push(c as Buffer));
        stream.on('end', () => {
          if (h.type === 'file') files.set(h.name.replace(/^\.\//, ''), Buffer.concat(chunks));
          next();
        });
        stream.resume();
      });
      extract.on('finish', resolve);
      // docker's export stops without the tar end-of-archive blocks: what was read is complete.
      extract.on('error', (err) => (files.has('meta.json') ? resolve() : reject(err)));
    });
    extract.end(archive);
    await done;
    const metaBuf = files.get('meta.json');
    if (!metaBuf) throw new Error('invalid context archive: no meta.json');
    const meta = JSON.parse(metaBuf.toString('utf8')) as ContextMeta;
    const tls: TlsMaterial = {};
    for (const f of TLS_FILES) {
      const b = files.get(`tls/docker/${f}`);
      if (b) tls[f] = b;
    }
    this.save({ ...meta, Name: name }, tls);
  }
}
