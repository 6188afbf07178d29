import { existsSync, lstatSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { Readable, Transform } from 'node:stream';
import type { Command } from 'commander';
import tar from 'tar-stream';
import type { QueryPairs } from '../../client/api-client.js';
import { hasIgnoreExceptions, ignoredBy } from '../../common/path-glob.js';
import { packPath } from '../../common/archive/pack.js';
import { CliExit, type CliEnv } from '../cli-env.js';
import { JsonMessageError, renderJsonMessages } from '../output/progress.js';
import { humanSize } from '../output/units.js';
import { parseUlimit } from './container/mount-specs.js';
import { parseMemoryFlag } from './container/units.js';

// `berth build` (docker's legacy builder client): packs the context (minus .dockerignore, but
// always with the Dockerfile and .dockerignore themselves), sends it to POST /build and prints
// the steps as they come.

interface BuildFlags {
  tag?: string[];
  file?: string;
  buildArg?: string[];
  label?: string[];
  target?: string;
  cache?: boolean;
  quiet?: boolean;
  pull?: boolean;
  network?: string;
  addHost?: string[];
  shmSize?: string;
  rm?: boolean;
  forceRm?: boolean;
  iidfile?: string;
  cacheFrom?: string[];
  platform?: string;
  memory?: string;
  memorySwap?: string;
  cpuShares?: string;
  cpuPeriod?: string;
  cpuQuota?: string;
  cpusetCpus?: string;
  cpusetMems?: string;
  cgroupParent?: string;
  ulimit?: string[];
  isolation?: string;
  squash?: boolean;
}

const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];

export function registerBuildCommands(program: Command, env: () => CliEnv): void {
  const add = (cmd: Command): Command =>
    cmd
      .description('Build an image from a Dockerfile')
      .usage('[OPTIONS] PATH | URL | -')
      .argument('<context>')
      .option('-t, --tag <name>', 'Name and optionally a tag in the "name:tag" format', collect)
      .option('-f, --file <string>', "Name of the Dockerfile (Default is 'PATH/Dockerfile')")
      .option('--build-arg <list>', 'Set build-time variables', collect)
      .option('--label <list>', 'Set metadata for an image', collect)
      .option('--target <string>', 'Set the target build stage to build.')
      .option('--no-cache', 'Do not use cache when building the image')
      .option('-q, --quiet', 'Suppress the build output and print image ID on success')
      .option('--pull', 'Always attempt to pull a newer version of the image')
      .option('--network <string>', 'Set the networking mode for the RUN instructions during build')
      .option('--add-host <list>', 'Add a custom host-to-IP mapping (host:ip)', collect)
      .option('--shm-size <bytes>', 'Size of /dev/shm')
      .option('--rm', 'Remove intermediate containers after a successful build (default true)')
      .option('--no-rm', 'Keep intermediate containers')
      .option('--force-rm', 'Always remove intermediate containers')
      .option('--iidfile <string>', 'Write the image ID to the file')
      .option('--cache-from <strings>', 'Images to consider as cache sources', collect)
      .option('--platform <string>', 'Set platform if server is multi-platform capable')
      .option('-m, --memory <bytes>', 'Memory limit')
      .option('--memory-swap <bytes>', "Swap limit equal to memory plus swap: -1 to enable unlimited swap")
      .option('-c, --cpu-shares <int>', 'CPU shares (relative weight)')
      .option('--cpu-period <int>', 'Limit the CPU CFS (Completely Fair Scheduler) period')
      .option('--cpu-quota <int>', 'Limit the CPU CFS (Completely Fair Scheduler) quota')
      .option('--cpuset-cpus <string>', 'CPUs in which to allow execution (0-3, 0,1)')
      .option('--cpuset-mems <string>', 'MEMs in which to allow execution (0-3, 0,1)')
      .option('--cgroup-parent <string>', 'Set the parent cgroup for the "RUN" instructions during build')
      .option('--ulimit <ulimit>', 'Ulimit options', collect)
      .option('--isolation <string>', 'Container isolation technology')
      .option('--squash', 'Squash newly built layers into a single new layer')
      .action((context: string, o: BuildFlags) => build(env(), context, o));
  add(program.command('build'));
  const image = program.commands.find((c) => c.name() === 'image') ?? program.command('image').description('Manage images');
  add(image.command('build'));
}

function keyValues(list: string[] | undefined, lookup: (k: string) => string | undefined): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const item of list ?? []) {
    const eq = item.indexOf('=');
    if (eq < 0) out[item] = lookup(item) ?? null;
    else out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

/** The context as a tar: the directory's files less what .dockerignore leaves out. */
function packContext(dir: string, dockerfile: string): Readable {
  const ignorePath = resolve(dir, '.dockerignore');
  const lines = existsSync(ignorePath) ? readFileSync(ignorePath, 'utf8').split('\n') : [];
  const keep = new Set([dockerfile, '.dockerignore']);
  const exceptions = hasIgnoreExceptions(lines);
  // An ignored directory is still walked when a `!` line may take something inside it back, as docker does.
  const keepsSomething = (rel: string): boolean => {
    const abs = resolve(dir, rel);
    if (!lstatSync(abs).isDirectory()) return !ignoredBy(rel, lines);
    return readdirSync(abs).some((n) => keepsSomething(`${rel}/${n}`));
  };
  const exclude = (rel: string) => !keep.has(rel) && ignoredBy(rel, lines) && !(exceptions && lstatSync(resolve(dir, rel)).isDirectory() && keepsSomething(rel));
  return packPath(dir, { rebase: '', exclude });
}

/** A Dockerfile from outside the context travels inside it under a name of its own, as docker-py does. */
function withExtraFile(context: Readable, name: string, content: Buffer): Readable {
  const extract = tar.extract();
  const pack = tar.pack();
  extract.on('entry', (h, stream, next) => stream.pipe(pack.entry(h, next)));
  extract.on('finish', () => pack.entry({ name, size: content.length, mode: 0o644 }, content, () => pack.finalize()));
  context.pipe(extract as unknown as NodeJS.WritableStream);
  return pack as unknown as Readable;
}

/** docker's "Sending build context to Docker daemon  4.096kB" line, updated as the context goes out. */
function withUploadProgress(body: Readable | Buffer, out: { write(s: string): boolean }): Readable {
  const line = (n: number) => `Sending build context to Docker daemon ${humanSize(n, 4).padStart(8)}\r`;
  let sent = 0;
  let shown = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      sent += chunk.length;
      if (sent - shown >= 512 * 1024) {
        shown = sent;
        out.write(line(sent));
      }
      done(null, chunk);
    },
    flush(done) {
      out.write(`${line(sent)}\r\n`);
      done();
    },
  });
  return (Buffer.isBuffer(body) ? Readable.from([body]) : body).pipe(counter);
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function build(e: CliEnv, context: string, o: BuildFlags): Promise<void> {
  let body: Readable | Buffer;
  let dockerfile = 'Dockerfile';
  if (context === '-') {
    const input = await readStdin();
    const isTar = input.length >= 262 && input.toString('latin1', 257, 262) === 'ustar';
    // gzip, bzip2, xz or zstd: a compressed context, which the daemon unpacks.
    const magic = input.subarray(0, 6).toString('hex');
    const compressed = ['1f8b', '425a68', 'fd377a585a00', '28b52ffd'].some((m) => magic.startsWith(m));
    if (isTar || compressed) body = input;
    else {
      // A Dockerfile on stdin: the context is that file alone.
      const pack = tar.pack();
      pack.entry({ name: 'Dockerfile', size: input.length, mode: 0o644 }, input);
      pack.finalize();
      body = pack as unknown as Readable;
    }
    if (o.file) dockerfile = o.file;
  } else {
    const dir = resolve(context);
    if (!existsSync(dir)) throw new CliExit(1, `unable to prepare context: path "${context}" not found`);
    const dfPath = o.file ? (o.file === '-' ? undefined : resolve(o.file)) : resolve(dir, 'Dockerfile');
    if (dfPath && !existsSync(dfPath)) throw new CliExit(1, `unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat ${dfPath}: no such file or directory`);
    const rel = dfPath ? relative(dir, dfPath) : '';
    if (dfPath && !rel.startsWith('..') && !isAbsolute(rel)) {
      dockerfile = rel;
      body = packContext(dir, dockerfile);
    } else {
      dockerfile = `.dockerfile.${Date.now().toString(16)}`;
      const content = dfPath ? readFileSync(dfPath) : await readStdin();
      body = withExtraFile(packContext(dir, dockerfile), dockerfile, content);
    }
  }
  const params: QueryPairs = [
    ...(o.tag ?? []).map((t): [string, string] => ['t', t]),
    ...(o.addHost ?? []).map((h): [string, string] => ['extrahosts', h]),
  ];
  const query: Record<string, string | undefined> = {
    dockerfile,
    buildargs: JSON.stringify(keyValues(o.buildArg, (k) => process.env[k])),
    labels: JSON.stringify(keyValues(o.label, () => '')),
    target: o.target,
    nocache: o.cache === false ? '1' : undefined,
    q: o.quiet ? '1' : undefined,
    pull: o.pull ? '1' : undefined,
    networkmode: o.network,
    shmsize: o.shmSize ? String(parseMemoryFlag(o.shmSize, '--shm-size')) : undefined,
    rm: o.rm === false ? '0' : '1',
    forcerm: o.forceRm ? '1' : undefined,
    cachefrom: o.cacheFrom ? JSON.stringify(o.cacheFrom) : undefined,
    platform: o.platform,
    memory: o.memory ? String(parseMemoryFlag(o.memory, '--memory')) : undefined,
    memswap: o.memorySwap ? (o.memorySwap === '-1' ? '-1' : String(parseMemoryFlag(o.memorySwap, '--memory-swap'))) : undefined,
    cpushares: o.cpuShares,
    cpuperiod: o.cpuPeriod,
    cpuquota: o.cpuQuota,
    cpusetcpus: o.cpusetCpus,
    cpusetmems: o.cpusetMems,
    cgroupparent: o.cgroupParent,
    ulimits: o.ulimit ? JSON.stringify(o.ulimit.map(parseUlimit)) : undefined,
    isolation: o.isolation,
    squash: o.squash ? '1' : undefined,
  };
  for (const [k, v] of Object.entries(query)) params.push([k, v]);
  // With -q the output is kept back, and shown on stderr only if the build fails (as docker does).
  const held: string[] = [];
  const out = o.quiet ? { write: (chunk: string | Buffer) => held.push(chunk.toString()) > 0 } : e.out;
  const messages = await e.client().images.build(params, withUploadProgress(body, out));
  let id = '';
  try {
    await renderJsonMessages(messages, out as NodeJS.WritableStream, {
      isTTY: !o.quiet && !!e.out.isTTY,
      columns: e.out.columns,
      onAux: (m) => {
        const aux = m.aux as { ID?: string };
        if (aux?.ID) id = aux.ID;
      },
    });
  } catch (err) {
    if (err instanceof JsonMessageError) {
      if (held.length) e.err.write(held.join(''));
      throw new CliExit(err.code && err.code > 0 ? err.code : 1, err.message);
    }
    throw err;
  }
  if (o.quiet && id) e.out.write(`${id}\n`);
  if (o.iidfile && id) writeFileSync(o.iidfile, id);
}
