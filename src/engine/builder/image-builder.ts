import { createHash } from 'node:crypto';
import { closeSync, createReadStream, existsSync, lstatSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { InvalidArgumentError, NotFoundError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { packPath } from '../../common/archive/pack.js';
import { applyChanges, type ContainerConfig } from '../images/image-config-changes.js';
import type { ImageRecord } from '../images/image-views.js';
import { parseKeyValues, splitWords } from '../../common/shell-words.js';
import { decompressContext, isCompressed } from './build-context.js';
import { BUILD_CONTEXT_LIMITS, type ArchiveLimits } from '../../common/archive/limits.js';
import { expandVars, parseDockerfile, type Instruction } from './dockerfile.js';
import { ignoredBy, matchGlob } from '../../common/path-glob.js';

// Docker's classic builder: each step runs on the image of the step before. RUN starts a container
// and commits its changes, COPY/ADD write files into a created container and commit them, the other
// instructions only change the config (an image without a new layer). Every step's image is a real
// (untagged) image whose parent is the step before, so a later build of the same Dockerfile finds
// its steps again ("Using cache").

export interface BuildOptions {
  dockerfile: string;
  tags: string[];
  buildArgs: Record<string, string | null>;
  labels: Record<string, string>;
  target?: string;
  noCache: boolean;
  /** Remove intermediate containers after a successful step (rm) / always (forcerm). */
  rm: boolean;
  forceRm: boolean;
  pull: boolean;
  quiet: boolean;
  /** HostConfig of the RUN containers: network mode, shm size, extra hosts, limits. */
  hostConfig: Record<string, unknown>;
  platform?: string;
  /** Images whose steps may be reused; when given, only they (and their parents) are the cache. */
  cacheFrom?: string[];
  /** Aborted when the client goes away: the running step is killed and the build stops. */
  signal?: AbortSignal;
}

export interface BuilderDeps {
  images: {
    getImage(ref: string): ImageRecord;
    pull(ref: string, platform: string | undefined, onProgress: (m: Record<string, unknown>) => void): Promise<ImageRecord>;
    tag(id: string, ref: string): void;
    childrenOf(id: string): string[];
    /** The empty image `FROM scratch` stands for: no layers, no history, stored once so a step can make a container of it. */
    scratch(): ImageRecord;
    /** An image with the parent's layers and a new config (a metadata step). */
    storeConfigOnly(parent: ImageRecord, config: ContainerConfig, createdBy: string, author?: string): string;
  };
  containers: {
    create(body: Record<string, unknown>): Promise<string>;
    start(id: string): Promise<void>;
    wait(id: string): Promise<number>;
    kill(id: string): Promise<void>;
    remove(id: string): Promise<void>;
    logPath(id: string): string;
  };
  archive: {
    /** `limits` bound an archive the build context brought (ADD). */
    put(id: string, path: string, tar: Readable, chownTo: string, limits?: ArchiveLimits): Promise<void>;
    get(id: string, path: string): Promise<Readable>;
    /** What is at a container path: a directory, something else, or nothing. */
    kind(id: string, path: string): Promise<'dir' | 'other' | undefined>;
    extractTo(dir: string, tar: Readable): Promise<void>;
  };
  /** The container's changes as a new image; `author` is the stage's MAINTAINER. */
  commit(containerId: string, config: ContainerConfig, createdBy: string, author?: string): Promise<string>;
  followLogs(path: string, until: Promise<unknown>): AsyncIterable<{ stream: string; line: Buffer }>;
  logger: Logger;
}

/** A stream message: `{stream}`, `{aux}`, or progress of a pull. */
export type BuildMessage = Record<string, unknown>;

/** Build args Docker predefines: accepted without an ARG and never reported as unused. */
const PREDEFINED_ARGS = new Set(['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy']);
const EXPANDED = new Set(['ADD', 'ARG', 'COPY', 'ENV', 'EXPOSE', 'FROM', 'LABEL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR']);
const DEFAULT_SHELL = ['/bin/sh', '-c'];

export class BuildError extends Error {
  constructor(
    message: string,
    readonly code = 1,
  ) {
    super(message);
  }
}

/** What every step of one build shares. */
interface BuildRun {
  context: string;
  escape: string;
  stages: Stage[];
  o: BuildOptions;
  say: (text: string) => void;
  /** Temporary directories to delete when the build ends. */
  cleanups: string[];
}

interface Stage {
  name?: string;
  image: ImageRecord;
  /** Still the bare `FROM scratch` image: no step has changed it yet. */
  scratch?: boolean;
  /** MAINTAINER: the author of this stage's images from then on. */
  maintainer?: string;
  config: ContainerConfig;
  /** ARG values visible in this stage. */
  args: Record<string, string>;
  shell: string[];
  cmdSet: boolean;
}

const short = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);

export class ImageBuilder {
  /** With cache_from: the ids whose children may be reused; otherwise every local image. */
  private cacheScope: Set<string> | undefined;

  constructor(private readonly d: BuilderDeps) {}

  private cacheSources(o: BuildOptions): Set<string> | undefined {
    if (!o.cacheFrom?.length) return undefined;
    const ids = new Set<string>();
    for (const ref of o.cacheFrom) {
      let img: ImageRecord | undefined;
      try {
        img = this.d.images.getImage(ref);
      } catch {
        continue; // an unknown cache source is no source, as in Docker
      }
      while (img) {
        ids.add(img.id);
        const parent: string | null | undefined = img.parent;
        try {
          img = parent ? this.d.images.getImage(parent) : undefined;
        } catch {
          img = undefined;
        }
      }
    }
    return ids;
  }

  /**
   * Builds from a context directory (already extracted). Messages go to `emit` as they come;
   * returns the final image id. Failures inside a step throw BuildError with Docker's wording.
   */
  async build(context: string, o: BuildOptions, emit: (m: BuildMessage) => void): Promise<string> {
    // With q, the steps' output is kept back, and sent only if the build fails (as dockerd does).
    const held: string[] = [];
    const say = (text: string) => {
      if (o.quiet) held.push(text);
      else emit({ stream: text });
    };
    const dfPath = join(context, o.dockerfile);
    if (!existsSync(dfPath) || !lstatSync(dfPath).isFile()) throw new InvalidArgumentError(`Cannot locate specified Dockerfile: ${o.dockerfile}`);
    const df = parseDockerfile(readFileSync(dfPath, 'utf8'));
    removeIgnoredBuildFiles(context, o.dockerfile);
    this.cacheScope = this.cacheSources(o);
    if (df.instructions.length === 0) throw new InvalidArgumentError(`the Dockerfile (${o.dockerfile}) cannot be empty`);
    if (df.instructions[0]!.cmd !== 'FROM' && df.instructions[0]!.cmd !== 'ARG') {
      throw new InvalidArgumentError('failed to process "' + df.instructions[0]!.original + '": no build stage in current context');
    }
    // The build ends with the target stage: what follows it is never run, nor counted in "Step n/N".
    let end = df.instructions.length;
    if (o.target) {
      const at = df.instructions.findIndex((i) => i.cmd === 'FROM' && /\s+as\s+(\S+)$/i.exec(i.args)?.[1]?.toLowerCase() === o.target!.toLowerCase());
      if (at < 0) throw new InvalidArgumentError(`failed to reach build target ${o.target} in Dockerfile`);
      const next = df.instructions.findIndex((i, n) => n > at && i.cmd === 'FROM');
      if (next >= 0) end = next;
    }
    const instructions = df.instructions.slice(0, end);
    if (Object.keys(o.labels).length) {
      // The build's labels are one more step of the last stage built, as in Docker.
      const text = Object.entries(o.labels)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => `${JSON.stringify(k)}=${JSON.stringify(v)}`)
        .join(' ');
      instructions.push({ cmd: 'LABEL', flags: {}, args: text, original: `LABEL ${text}`, line: 0 });
    }

    const used = new Set<string>();
    const metaArgs: Record<string, string> = {};
    const stages: Stage[] = [];
    let stage: Stage | undefined;
    const total = instructions.length;
    const cleanups: string[] = [];
    const r: BuildRun = { context, escape: df.escape, stages, o, say, cleanups };
    try {
      for (let n = 0; n < instructions.length; n++) {
        if (o.signal?.aborted) throw new BuildError('context canceled');
        const ins = instructions[n]!;
        // FROM sees only the ARGs declared before the first FROM, in every stage.
        const vars = stage && ins.cmd !== 'FROM' ? { ...envMap(stage.config.Env), ...stage.args } : metaArgs;
        const args = EXPANDED.has(ins.cmd) ? expandVars(ins.args, vars, df.escape) : ins.args;
        say(`Step ${n + 1}/${total} : ${ins.original}\n`);
        if (ins.cmd === 'ARG') {
          const declared = splitArgs(args);
          for (const [name, def] of declared) {
            const value = name in o.buildArgs && o.buildArgs[name] !== null ? o.buildArgs[name]! : def;
            used.add(name);
            if (!stage) {
              if (value !== undefined) metaArgs[name] = value;
            } else if (value !== undefined) stage.args[name] = value;
            else if (name in metaArgs) stage.args[name] = metaArgs[name]!;
          }
          if (!stage) continue;
          // The history names each ARG with its Dockerfile default, never the value given.
          const text = declared.map(([k, v]) => (v === undefined ? k : `${k}=${v}`)).join(' ');
          stage = await this.metaStep(stage, stage.config, `${stage.shell.join(' ')} #(nop)  ARG ${text}`, r);
          stages[stages.length - 1] = stage;
          continue;
        }
        if (ins.cmd === 'FROM') {
          // dockerd reports each stage's image as the stage ends.
          if (stage && !stage.scratch) emit({ aux: { ID: stage.image.id } });
          stage = await this.from(args, ins, r, emit);
          stages.push(stage);
          continue;
        }
        if (!stage) throw new InvalidArgumentError(`failed to process "${ins.original}": no build stage in current context`);
        stage = await this.step(stage, ins, args, r);
        stages[stages.length - 1] = stage;
      }
      if (!stage) throw new InvalidArgumentError('no build stage in current context');
      if (stage.scratch) throw new InvalidArgumentError('No image was generated. Is your Dockerfile empty?');
      const id = stage.image.id;
      emit({ aux: { ID: id } });
      const unused = Object.keys(o.buildArgs)
        .filter((k) => !used.has(k) && !PREDEFINED_ARGS.has(k))
        .sort();
      if (unused.length) say(`[Warning] One or more build-args [${unused.join(' ')}] were not consumed\n`);
      say(`Successfully built ${short(id)}\n`);
      for (const t of o.tags) {
        this.d.images.tag(id, t);
        say(`Successfully tagged ${t}\n`);
      }
      if (o.quiet) emit({ stream: `${id}\n` });
      return id;
    } catch (err) {
      for (const text of held) emit({ stream: text });
      throw err;
    } finally {
      for (const dir of cleanups) rmSync(dir, { recursive: true, force: true });
    }
  }

  private async from(args: string, ins: Instruction, r: BuildRun, emit: (m: BuildMessage) => void): Promise<Stage> {
    const { stages, o, say } = r;
    const m = /^(\S+)(?:\s+as\s+(\S+))?$/i.exec(args.trim());
    if (!m) throw new InvalidArgumentError(`FROM requires either one or three arguments`);
    const ref = m[1]!;
    const name = m[2];
    const previous = stages.find((s) => s.name && s.name.toLowerCase() === ref.toLowerCase());
    let image: ImageRecord;
    if (previous) image = previous.image;
    else if (ref.toLowerCase() === 'scratch') image = this.d.images.scratch();
    else {
      let found: ImageRecord | undefined;
      if (!o.pull) {
        try {
          found = this.d.images.getImage(ref);
        } catch (err) {
          if (!(err instanceof NotFoundError)) throw err;
        }
      }
      image = found ?? (await this.d.images.pull(ref, ins.flags.platform ?? o.platform, (p) => !o.quiet && emit(p)));
    }
    const scratch = !previous && ref.toLowerCase() === 'scratch';
    if (!scratch) say(` ---> ${short(image.id)}\n`);
    const config = structuredClone(image.config.config ?? {}) as ContainerConfig;
    // ONBUILD triggers of the base image run first, as in Docker; the new image does not keep them.
    const triggers = (config.OnBuild as string[] | null) ?? [];
    if (triggers.length) config.OnBuild = null;
    let stage: Stage = { name, image, scratch, config, args: {}, shell: config.Shell ?? DEFAULT_SHELL, cmdSet: false };
    if (triggers.length) say(`# Executing ${triggers.length} build trigger${triggers.length > 1 ? 's' : ''}\n`);
    for (const trigger of triggers) {
      const parsed = parseDockerfile(trigger).instructions[0];
      if (!parsed) continue;
      if (['FROM', 'ONBUILD', 'MAINTAINER'].includes(parsed.cmd)) throw new InvalidArgumentError(`${parsed.cmd} isn't allowed as an ONBUILD trigger`);
      const args = EXPANDED.has(parsed.cmd) ? expandVars(parsed.args, envMap(stage.config.Env)) : parsed.args;
      stage = await this.step(stage, parsed, args, { ...r, escape: '\\' });
    }
    return stage;
  }

  private async step(s: Stage, ins: Instruction, args: string, r: BuildRun): Promise<Stage> {
    // dockerd's history comment: the stage's shell, then "#(nop) " and the step as Go prints it.
    const nop = (text: string, shell = s.shell) => `${shell.join(' ')} #(nop) ${text}`;
    switch (ins.cmd) {
      case 'RUN':
        return this.run(s, ins, args, r);
      case 'COPY':
      case 'ADD':
        return this.copy(s, ins, args, r);
      case 'SHELL': {
        if (!ins.json) throw new InvalidArgumentError('SHELL requires the arguments to be in JSON form');
        const config = { ...s.config, Shell: ins.json };
        return this.metaStep({ ...s, shell: ins.json }, config, nop(` SHELL [${ins.json.join(' ')}]`, ins.json), r);
      }
      case 'CMD':
      case 'ENTRYPOINT': {
        const cmd = ins.json ?? [...s.shell, args];
        const config = { ...s.config, [ins.cmd === 'CMD' ? 'Cmd' : 'Entrypoint']: cmd };
        if (ins.cmd === 'ENTRYPOINT' && !s.cmdSet) config.Cmd = null;
        return this.metaStep({ ...s, cmdSet: s.cmdSet || ins.cmd === 'CMD' }, config, nop(` ${ins.cmd} ${goQuoted(cmd)}`), r);
      }
      case 'MAINTAINER':
        return this.metaStep({ ...s, maintainer: args }, s.config, nop(` MAINTAINER ${args}`), r);
      case 'ENV':
      case 'LABEL': {
        const pairs = parseKeyValues(ins.cmd, args, r.escape);
        const text = pairs.map(([k, v]) => `${k}=${v}`).join(' ');
        const change = `${ins.cmd} ${pairs.map(([k, v]) => `${JSON.stringify(k)}=${JSON.stringify(v)}`).join(' ')}`;
        return this.metaStep(s, applyChanges(s.config, [change]), nop(` ${ins.cmd} ${text}`), r);
      }
      case 'WORKDIR': {
        const dir = posix.resolve(s.config.WorkingDir || '/', args.trim());
        // dockerd writes this one comment with a single space after #(nop).
        return this.metaStep(s, { ...s.config, WorkingDir: dir }, nop(`WORKDIR ${dir}`), r, dir);
      }
      case 'EXPOSE':
      case 'USER':
      case 'VOLUME':
      case 'STOPSIGNAL':
      case 'HEALTHCHECK':
      case 'ONBUILD': {
        let change = `${ins.cmd} ${args}`;
        if (ins.cmd === 'HEALTHCHECK') change = healthcheckChange(args);
        const config = applyChanges(s.config, [change]);
        if (ins.cmd === 'HEALTHCHECK') Object.assign(config.Healthcheck ?? {}, healthcheckFlags(ins.flags));
        let text = `${ins.cmd} ${args}`;
        if (ins.cmd === 'VOLUME') text = `VOLUME [${(ins.json ?? args.split(/\s+/).filter(Boolean)).join(' ')}]`;
        if (ins.cmd === 'HEALTHCHECK') text = `HEALTHCHECK ${goHealthcheck(config.Healthcheck as HealthConfig)}`;
        return this.metaStep(s, config, nop(` ${text}`), r);
      }
      default:
        throw new InvalidArgumentError(`unknown instruction: ${ins.cmd}`);
    }
  }

  /** A step that only changes the config: reuse a cached child or store a config-only image. */
  private async metaStep(s: Stage, config: ContainerConfig, createdBy: string, r: BuildRun, mkdir?: string): Promise<Stage> {
    const cached = this.fromCache(s, createdBy, config, r);
    if (cached) return { ...cached, config, scratch: false };
    let id: string;
    if (mkdir && mkdir !== '/') {
      // WORKDIR creates its directory, as Docker's builder does, in a layer of its own.
      id = await this.withContainer(s, createdBy, r, async (cid) => {
        if (!(await this.d.archive.kind(cid, mkdir))) await this.d.archive.put(cid, '/', dirTar(mkdir), '0:0');
        return this.d.commit(cid, config, createdBy, s.maintainer);
      });
    } else {
      id = this.d.images.storeConfigOnly(s.image, config, createdBy, s.maintainer);
    }
    r.say(` ---> ${short(id)}\n`);
    return { ...s, image: this.d.images.getImage(id), config, scratch: false };
  }

  /** The stage moved onto a cached step's image, said as Docker says it; undefined on a miss. */
  private fromCache(s: Stage, createdBy: string, config: ContainerConfig, r: BuildRun): Stage | undefined {
    const hit = this.cached(s.image, createdBy, config, r.o);
    if (!hit) return undefined;
    r.say(' ---> Using cache\n');
    r.say(` ---> ${short(hit.id)}\n`);
    return { ...s, image: hit, scratch: false };
  }

  private cached(parent: ImageRecord, createdBy: string, config: ContainerConfig, o: BuildOptions): ImageRecord | undefined {
    if (o.noCache) return undefined;
    for (const id of this.d.images.childrenOf(parent.id)) {
      let child: ImageRecord;
      try {
        child = this.d.images.getImage(id);
      } catch {
        continue;
      }
      if (this.cacheScope && !this.cacheScope.has(child.id)) continue;
      const last = child.config.history?.at(-1);
      if (last?.created_by !== createdBy) continue;
      if (JSON.stringify(normalise(child.config.config ?? {})) !== JSON.stringify(normalise(config))) continue;
      return child;
    }
    return undefined;
  }

  private async withContainer(s: Stage, createdBy: string, r: BuildRun, work: (id: string) => Promise<string>, cmd?: string[], env?: string[]): Promise<string> {
    const { o, say } = r;
    const cid = await this.d.containers.create({
      ...s.config,
      Image: s.image.id,
      Cmd: cmd ?? ['/bin/sh', '-c', createdBy.replace(/^\/bin\/sh -c /, '')],
      Entrypoint: cmd ? [] : null,
      Env: env ?? s.config.Env ?? null,
      Healthcheck: null,
      Labels: s.config.Labels ?? {},
      HostConfig: { ...o.hostConfig, AutoRemove: false },
    });
    say(` ---> Running in ${short(cid)}\n`);
    let ok = false;
    try {
      const id = await work(cid);
      ok = true;
      return id;
    } finally {
      // A canceled build removes its step's container whatever rm says, as dockerd does.
      if (o.forceRm || (ok && o.rm) || o.signal?.aborted) {
        await this.d.containers.remove(cid).catch((err) => this.d.logger.warn({ err, cid }, 'removing build container'));
        say(` ---> Removed intermediate container ${short(cid)}\n`);
      }
    }
  }

  private async run(s: Stage, ins: Instruction, args: string, r: BuildRun): Promise<Stage> {
    const say = r.say;
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
    const cached = this.fromCache(s, createdBy, s.config, r);
    if (cached) return cached;
    const env = mergeEnv(s.config.Env ?? [], argEnv);
    const id = await this.withContainer(
      s,
      createdBy,
      r,
      async (cid) => {
        const exit = this.d.containers.wait(cid);
        await this.d.containers.start(cid);
        // A build the client abandoned does not leave its step running.
        let canceled = false;
        const cancel = () => {
          canceled = true;
          this.d.containers.kill(cid).catch(() => undefined);
        };
        if (r.o.signal?.aborted) cancel();
        r.o.signal?.addEventListener('abort', cancel, { once: true });
        void exit.finally(() => r.o.signal?.removeEventListener('abort', cancel));
        // As Docker's builder: a step's stderr in red (ANSI 91), its stdout as it is.
        for await (const e of this.d.followLogs(this.d.containers.logPath(cid), exit)) {
          say(e.stream === 'stderr' ? `\x1b[91m${e.line.toString('utf8')}\x1b[0m` : e.line.toString('utf8'));
        }
        const code = await exit;
        if (canceled) throw new BuildError('context canceled');
        if (code !== 0) throw new BuildError(`The command '${cmd.join(' ')}' returned a non-zero code: ${code}`, code);
        return this.d.commit(cid, s.config, createdBy, s.maintainer);
      },
      cmd,
      env,
    );
    say(` ---> ${short(id)}\n`);
    return { ...s, image: this.d.images.getImage(id), scratch: false };
  }

  private async copy(s: Stage, ins: Instruction, args: string, r: BuildRun): Promise<Stage> {
    const words = ins.json ?? splitWords(args);
    if (words.length < 2) throw new InvalidArgumentError(`${ins.cmd} requires at least two arguments, but only one was provided. Destination could not be determined`);
    const dest0 = words[words.length - 1]!;
    const dest = posix.resolve(s.config.WorkingDir || '/', dest0);
    const destIsDir = dest0.endsWith('/') || dest0.endsWith('/.') || words.length > 2;
    const root = ins.flags.from ? await this.fromSource(ins.flags.from, words.slice(0, -1), r) : r.context;
    const sources: { path: string; rel: string; remote?: boolean }[] = [];
    for (const src of words.slice(0, -1)) {
      if (/^https?:\/\//.test(src)) {
        if (ins.cmd === 'COPY') throw new InvalidArgumentError('source can\'t be a URL for COPY');
        const path = await download(src, ins.flags.checksum, r.cleanups);
        sources.push({ path, rel: basename(path), remote: true });
        continue;
      }
      if (!ins.flags.from && posix.normalize(src).startsWith('../')) throw new InvalidArgumentError(`${ins.cmd} failed: forbidden path outside the build context: ${src} ()`);
      const matches = matchGlob(root, src);
      if (matches.length === 0) throw new InvalidArgumentError(`${ins.cmd} failed: file not found in build context or excluded by .dockerignore: stat ${src}: file does not exist`);
      sources.push(...matches.map((rel) => ({ path: join(root, rel), rel })));
    }
    // The classic builder wants a slash even for `COPY a b .` (BuildKit does not).
    if (sources.length > 1 && !dest0.endsWith('/')) {
      throw new InvalidArgumentError(`When using ${ins.cmd} with more than one source file, the destination must be a directory and end with a /`);
    }
    const chmod = ins.flags.chmod;
    if (chmod !== undefined && !/^[0-7]{1,4}$/.test(chmod)) throw new InvalidArgumentError(`invalid chmod parameter: ${chmod}`);
    const hash = createHash('sha256');
    for (const src of sources) hashTree(src.path, hash);
    // Owner and mode are part of what the step produces, so of its cache key.
    if (ins.flags.chown || chmod) hash.update(`chown=${ins.flags.chown ?? ''} chmod=${chmod ?? ''}`);
    const kind = sources.length === 1 && lstatSync(sources[0]!.path).isDirectory() ? 'dir' : sources.length > 1 ? 'multi' : 'file';
    const createdBy = `/bin/sh -c #(nop) ${ins.cmd} ${kind}:${hash.digest('hex')} in ${dest0} `;
    const cached = this.fromCache(s, createdBy, s.config, r);
    if (cached) return cached;
    const id = await this.withContainer(s, createdBy, r, async (cid) => {
      for (const src of sources) {
        const st = lstatSync(src.path);
        // A downloaded file is never extracted, as in Docker.
        const isArchive = ins.cmd === 'ADD' && !src.remote && st.isFile() && looksLikeArchive(src.path);
        if (isArchive) {
          await this.ensureDir(cid, dest);
          await this.d.archive.put(cid, dest, await decompressContext(createReadStream(src.path)), ins.flags.chown ?? '0:0', BUILD_CONTEXT_LIMITS);
          continue;
        }
        // As dockerd: a destination without a trailing slash that is an existing directory gets the file inside it.
        const intoDir = destIsDir || (!st.isDirectory() && (await this.d.archive.kind(cid, dest)) === 'dir');
        const target = st.isDirectory() ? dest : intoDir ? posix.join(dest, basename(src.path)) : dest;
        await this.ensureDir(cid, st.isDirectory() ? target : posix.dirname(target));
        const packed = packPath(src.path, { rebase: target.slice(1) || '.' });
        const tar = chmod ? withMode(packed, parseInt(chmod, 8), target.slice(1)) : packed;
        await this.d.archive.put(cid, '/', tar, ins.flags.chown ?? '0:0');
      }
      return this.d.commit(cid, s.config, createdBy, s.maintainer);
    });
    r.say(` ---> ${short(id)}\n`);
    return { ...s, image: this.d.images.getImage(id), scratch: false };
  }

  private async ensureDir(cid: string, dir: string): Promise<void> {
    if (dir === '/' || (await this.d.archive.kind(cid, dir))) return;
    await this.d.archive.put(cid, '/', dirTar(dir), '0:0');
  }

  /** COPY --from: the named files of another stage or image, extracted to a temporary directory. */
  private async fromSource(from: string, srcs: string[], r: BuildRun): Promise<string> {
    const { stages, o, cleanups } = r;
    const stage = /^\d+$/.test(from) ? stages[Number(from)] : stages.find((x) => x.name?.toLowerCase() === from.toLowerCase());
    let image: ImageRecord;
    if (stage) image = stage.image;
    else {
      try {
        image = this.d.images.getImage(from);
      } catch {
        image = await this.d.images.pull(from, o.platform, () => undefined);
      }
    }
    const dir = mkdtempSync(join(tmpdir(), 'berth-build-from-'));
    cleanups.push(dir);
    const cid = await this.d.containers.create({ Image: image.id, Cmd: ['true'], Entrypoint: [], HostConfig: { NetworkMode: 'none' } });
    try {
      for (const src of srcs) {
        const base = src.replace(/\/+$/, '').split('/').filter(Boolean);
        // The parent of the first wildcard is fetched whole; the glob is matched on the copy.
        const cut = base.findIndex((p) => /[*?[]/.test(p));
        const fetch = '/' + (cut < 0 ? base : base.slice(0, cut)).join('/');
        const into = join(dir, posix.dirname(fetch));
        await this.d.archive.extractTo(into, await this.d.archive.get(cid, fetch));
      }
    } catch (err) {
      throw new InvalidArgumentError(`COPY --from=${from} failed: ${(err as Error).message}`);
    } finally {
      await this.d.containers.remove(cid).catch(() => undefined);
    }
    return dir;
  }
}

/**
 * dockerd's removeDockerfile: .dockerignore and the Dockerfile leave the context when .dockerignore
 * names them; docker-py's copy of a Dockerfile from outside the context (.dockerfile.<hex>) always.
 */
function removeIgnoredBuildFiles(context: string, dockerfile: string): void {
  const name = dockerfile.replace(/^\.?\/+/, '');
  if (/^\.dockerfile\.[0-9a-f]+$/.test(name)) rmSync(join(context, name), { force: true });
  const ignore = join(context, '.dockerignore');
  if (!existsSync(ignore)) return;
  const lines = readFileSync(ignore, 'utf8').split('\n');
  for (const f of [name, '.dockerignore']) if (ignoredBy(f, lines)) rmSync(join(context, f), { recursive: true, force: true });
}

/** `ARG a b=1 c="x y"`: each name, with its default when it has one. */
function splitArgs(text: string): [string, string | undefined][] {
  return splitWords(text).map((w) => {
    const eq = w.indexOf('=');
    return eq < 0 ? [w, undefined] : [w.slice(0, eq), w.slice(eq + 1)];
  });
}

function envMap(env: string[] | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of env ?? []) {
    const i = e.indexOf('=');
    if (i > 0) out[e.slice(0, i)] = e.slice(i + 1);
  }
  return out;
}

function mergeEnv(env: string[], extra: string[]): string[] {
  const out = [...env];
  for (const e of extra) {
    const k = e.slice(0, e.indexOf('='));
    if (!out.some((x) => x.startsWith(`${k}=`))) out.push(e);
  }
  return out;
}

/** Keys whose absence and emptiness mean the same, so a cached config compares equal. */
function normalise(c: ContainerConfig): ContainerConfig {
  const out: ContainerConfig = {};
  for (const [k, v] of Object.entries(c)) {
    if (v === null || v === undefined || v === '' || v === false) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    if (typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) continue;
    out[k] = v;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

function hashTree(path: string, hash: ReturnType<typeof createHash>): void {
  const st = lstatSync(path);
  hash.update(`${basename(path)}:${st.mode}:${st.size}\n`);
  if (st.isDirectory()) for (const n of readdirSync(path).sort()) hashTree(join(path, n), hash);
  else if (st.isFile()) hash.update(readFileSync(path));
}

function looksLikeArchive(path: string): boolean {
  // Only the first block tells: a compressor's magic bytes, or tar's "ustar" at offset 257.
  const head = Buffer.alloc(512);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, 512, 0);
  } finally {
    closeSync(fd);
  }
  if (head[0] === 0x1f && head[1] === 0x8b) return true;
  if (isCompressed(head)) return true;
  return head.toString('latin1', 257, 262) === 'ustar';
}

/** COPY --chmod: every copied entry (not the parents the tar names on the way) gets `mode`. */
function withMode(src: Readable, mode: number, under: string): Readable {
  const extract = tar.extract();
  const pack = tar.pack();
  const root = under.replace(/\/+$/, '');
  extract.on('entry', (h, stream, next) => {
    const name = h.name.replace(/\/+$/, '');
    if (root === '' || name === root || name.startsWith(`${root}/`)) h.mode = mode;
    stream.pipe(pack.entry(h, next));
  });
  extract.on('finish', () => pack.finalize());
  extract.on('error', (err) => pack.destroy(err));
  src.on('error', (err) => extract.destroy(err));
  src.pipe(extract as unknown as NodeJS.WritableStream);
  return pack as unknown as Readable;
}

function dirTar(dir: string): Readable {
  const parts = dir.split('/').filter(Boolean);
  const entries = parts.map((_, i) => ({ name: `${parts.slice(0, i + 1).join('/')}/`, mode: 0o755, type: 'directory' as const }));
  const pack = tar.pack();
  for (const e of entries) pack.entry({ ...e, uid: 0, gid: 0, mtime: new Date() });
  pack.finalize();
  return pack as unknown as Readable;
}

/**
 * ADD <url>: the file, downloaded by the daemon as dockerd does, named after the URL's last path
 * segment (or Content-Disposition), mode 0600, dated by Last-Modified.
 */
async function download(url: string, checksum: string | undefined, cleanups: string[]): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'follow' });
  } catch (err) {
    throw new InvalidArgumentError(`ADD failed: ${url}: ${(err as { cause?: Error }).cause?.message ?? (err as Error).message}`);
  }
  if (res.status >= 400) throw new InvalidArgumentError(`failed to GET ${url} with status ${res.status} ${res.statusText}: ${(await res.text()).trim()}`);
  let name = posix.basename(new URL(res.url || url).pathname);
  if (!name) name = /filename="?([^";]+)"?/i.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? '';
  if (!name || name === '/' || name === '.') throw new InvalidArgumentError(`cannot determine filename from url: ${url}`);
  const body = Buffer.from(await res.arrayBuffer());
  if (checksum) {
    const got = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    if (got !== checksum) throw new InvalidArgumentError(`digest mismatch ${got}: ${checksum}`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'berth-build-url-'));
  cleanups.push(dir);
  const path = join(dir, name);
  writeFileSync(path, body, { mode: 0o600 });
  const modified = Date.parse(res.headers.get('last-modified') ?? '');
  if (!Number.isNaN(modified)) utimesSync(path, new Date(modified), new Date(modified));
  return path;
}

/** Go's %q of a []string, as dockerd writes CMD and ENTRYPOINT in history: ["a" "b c"]. */
function goQuoted(list: string[]): string {
  return `[${list.map((x) => JSON.stringify(x)).join(' ')}]`;
}

interface HealthConfig {
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

/** Go's %q of a *HealthConfig, which is what dockerd's history says for HEALTHCHECK. */
function goHealthcheck(h: HealthConfig): string {
  const d = (ns = 0) => JSON.stringify(goDuration(ns));
  const retries = h.Retries ?? 0;
  const escapes: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 39: "\\'", 92: '\\\\' };
  const rune = escapes[retries] ?? (retries < 0x20 || retries === 0x7f ? `\\x${retries.toString(16).padStart(2, '0')}` : String.fromCodePoint(retries));
  return `&{${goQuoted(h.Test ?? [])} ${d(h.Interval)} ${d(h.Timeout)} ${d(h.StartPeriod)} ${d(h.StartInterval)} '${rune}'}`;
}

/** Go's time.Duration String(): 0s, 500ms, 30s, 1m30s, 1h0m0s. */
export function goDuration(ns: number): string {
  if (ns === 0) return '0s';
  if (ns < 1e3) return `${ns}ns`;
  if (ns < 1e6) return `${trimZeros(ns / 1e3)}µs`;
  if (ns < 1e9) return `${trimZeros(ns / 1e6)}ms`;
  const h = Math.floor(ns / 3600e9);
  const m = Math.floor((ns % 3600e9) / 60e9);
  const sec = trimZeros((ns % 60e9) / 1e9);
  if (h) return `${h}h${m}m${sec}s`;
  if (m) return `${m}m${sec}s`;
  return `${sec}s`;
}

const trimZeros = (n: number) => String(Number(n.toFixed(9)));

function healthcheckChange(args: string): string {
  const rest = args.replace(/^(--[a-z-]+=\S+\s+)+/i, '');
  return `HEALTHCHECK ${rest}`;
}

function healthcheckFlags(flags: Record<string, string>): Record<string, number> {
  const out: Record<string, number> = {};
  // Go's time.ParseDuration: one or more number+unit terms (1m30s, 1.5h, 500ms).
  const units: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  const dur = (v: string): number => {
    if (!/^((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))+$/.test(v)) throw new InvalidArgumentError(`time: invalid duration "${v}"`);
    let ns = 0;
    for (const m of v.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)) ns += Number(m[1]) * units[m[2]!]!;
    return Math.round(ns);
  };
  if (flags.interval) out.Interval = dur(flags.interval);
  if (flags.timeout) out.Timeout = dur(flags.timeout);
  if (flags['start-period']) out.StartPeriod = dur(flags['start-period']);
  if (flags.retries) out.Retries = Number(flags.retries);
  return out;
}
