import { createWriteStream, lstatSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, resolve as resolvePath } from 'node:path';
import { PassThrough, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { ApiError, type ApiClient } from '../../client/api-client.js';
import { decodePathStat, type ContainerPathStat } from '../../common/archive/path-stat.js';
import { packPath } from '../../common/archive/pack.js';
import { unpackInto } from '../../common/archive/unpack.js';
import { CliExit, type CliEnv } from '../cli-env.js';
import { humanSize } from '../output/units.js';

// `berth cp`: files between a container and the local filesystem (or a tar stream on `-`),
// following docker's copy rules: a directory lands inside an existing directory or becomes a
// new one; `SRC/.` copies a directory's contents.

interface CpOptions {
  archive?: boolean;
  followLink?: boolean;
  quiet?: boolean;
}

/** `CONTAINER:PATH` or a local path (a colon after a slash is part of a local path, as in docker). */
function splitArg(arg: string): { container?: string; path: string } {
  if (arg.startsWith('/') || arg.startsWith('.')) return { path: arg };
  const i = arg.indexOf(':');
  if (i <= 0) return { path: arg };
  return { container: arg.slice(0, i), path: arg.slice(i + 1) };
}

function isDir(st: ContainerPathStat): boolean {
  return st.mode >= 2 ** 31;
}

async function statIn(client: ApiClient, container: string, path: string): Promise<ContainerPathStat | undefined> {
  const res = await client.containers.statPath(container, path);
  res.resume();
  if (res.statusCode === 404) {
    // A missing container and a missing path both answer 404: tell them apart as docker does.
    await client.containers.inspect(container);
    return undefined;
  }
  if ((res.statusCode ?? 500) >= 400) throw new ApiError(res.statusCode ?? 500, `Error response from daemon: ${res.statusMessage ?? ''}`.trim());
  const header = res.headers['x-docker-container-path-stat'];
  return decodePathStat(String(header));
}

/** Counts the bytes that pass (docker reports the archive size it copied). */
function counter(): { stream: Transform; bytes: () => number } {
  let n = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      n += chunk.length;
      cb(null, chunk);
    },
  });
  return { stream, bytes: () => n };
}

async function copyFromContainer(e: CliEnv, container: string, src: string, dst: string, o: CpOptions): Promise<void> {
  const client = e.client();
  let srcPath = src;
  let st = await statIn(client, container, srcPath);
  if (!st) throw new CliExit(1, `Error response from daemon: Could not find the file ${src} in container ${container}`);
  if (o.followLink && st.linkTarget) {
    srcPath = st.linkTarget;
    st = (await statIn(client, container, srcPath)) ?? st;
  }
  const res = await client.containers.getArchive(container, srcPath);
  const count = counter();
  if (dst === '-') {
    await pipeline(res, count.stream, process.stdout);
    return;
  }
  const contentsOnly = /\/\.$/.test(src);
  const dstAbs = resolvePath(dst);
  const existing = statSync(dstAbs, { throwIfNoEntry: false });
  let into: string;
  let rename: { from: string; to: string } | undefined;
  if (existing?.isDirectory()) {
    into = dstAbs;
  } else {
    if (existing && isDir(st)) throw new CliExit(1, `cannot copy a directory to a file: ${dst}`);
    if (!existing && /\/$/.test(dst) && !isDir(st)) throw new CliExit(1, `destination directory "${dst}" must exist`);
    const parent = statSync(dirname(dstAbs), { throwIfNoEntry: false });
    if (!parent?.isDirectory()) throw new CliExit(1, `lstat ${dirname(dstAbs)}: no such file or directory`);
    into = dirname(dstAbs);
    rename = { from: contentsOnly ? '.' : st.name, to: basename(dstAbs) };
  }
  const body = new PassThrough();
  const done = unpackInto({ resolve: (p) => p }, into, body, { noOverwriteDirNonDir: true, noLchown: true, rename });
  await Promise.all([pipeline(res, count.stream, body), done]);
  if (!o.quiet) e.err.write(`Successfully copied ${humanSize(count.bytes())} to ${dst}\n`);
}

async function copyToContainer(e: CliEnv, src: string, container: string, dst: string, o: CpOptions): Promise<void> {
  const client = e.client();
  const query = { path: dst, noOverwriteDirNonDir: true, copyUIDGID: o.archive ? true : undefined };
  const put = async (path: string, body: Readable): Promise<number> => {
    const count = counter();
    const stream = body.pipe(count.stream);
    const res = await client.containers.putArchive(container, { ...query, path }, stream);
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    if ((res.statusCode ?? 500) >= 400) {
      let message = Buffer.concat(chunks).toString();
      try {
        message = JSON.parse(message).message;
      } catch {
        /* plain text */
      }
      throw new CliExit(1, `Error response from daemon: ${message}`);
    }
    return count.bytes();
  };
  if (src === '-') {
    // A tar on stdin is extracted into the destination directory as it is.
    await put(dst, Readable.from(process.stdin));
    return;
  }
  const srcAbs = resolvePath(src);
  let local = lstatSync(srcAbs, { throwIfNoEntry: false });
  if (!local) throw new CliExit(1, `lstat ${srcAbs}: no such file or directory`);
  const follow = o.followLink && local.isSymbolicLink();
  if (follow) local = statSync(srcAbs);
  const contentsOnly = /\/\.$/.test(src);
  const dstStat = await statIn(client, container, dst);
  let path = dst;
  let rebase = contentsOnly ? '.' : basename(srcAbs);
  if (!dstStat || !isDir(dstStat)) {
    if (dstStat && local.isDirectory()) throw new CliExit(1, `Error response from daemon: cannot copy a directory to a file: ${dst}`);
    if (!dstStat && /\/$/.test(dst)) throw new CliExit(1, `Error response from daemon: Could not find the file ${dst} in container ${container}`);
    // A new name: the archive's top entry takes the destination's last element.
    path = dirname(dst.replace(/\/+$/, '')) || '/';
    rebase = basename(dst);
  }
  const source = follow ? realpathSync(srcAbs) : srcAbs;
  const bytes = await put(path, packPath(source, { rebase }));
  if (!o.quiet) e.err.write(`Successfully copied ${humanSize(bytes)} to ${container}:${dst}\n`);
}

function registerCp(parent: Command, env: () => CliEnv): void {
  parent
    .command('cp')
    .description("Copy files/folders between a container and the local filesystem\n\nUse '-' as the source to read a tar archive from stdin\nand extract it to a directory destination in a container.\nUse '-' as the destination to stream a tar archive of a\ncontainer source to stdout.")
    .usage('[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tberth cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH')
    .argument('<src>')
    .argument('<dest>')
    .option('-a, --archive', 'Archive mode (copy all uid/gid information)')
    .option('-L, --follow-link', 'Always follow symbol link in SRC_PATH')
    .option('-q, --quiet', 'Suppress progress output during copy. Progress output is automatically suppressed if no terminal is attached')
    .action(async (srcArg: string, dstArg: string, o: CpOptions) => {
      const e = env();
      const src = splitArg(srcArg);
      const dst = splitArg(dstArg);
      if (src.container && dst.container) throw new CliExit(1, 'copying between containers is not supported');
      if (!src.container && !dst.container) throw new CliExit(1, 'must specify at least one container source');
      if (src.container) {
        if (!src.path) throw new CliExit(1, 'source can not be empty');
        await copyFromContainer(e, src.container, src.path, dst.path, o);
      } else {
        if (!dst.path) throw new CliExit(1, 'destination can not be empty');
        await copyToContainer(e, src.path, dst.container!, dst.path, o);
      }
    });
}

function registerExport(parent: Command, env: () => CliEnv): void {
  parent
    .command('export')
    .description("Export a container's filesystem as a tar archive")
    .usage('[OPTIONS] CONTAINER')
    .argument('<container>')
    .option('-o, --output <string>', 'Write to a file, instead of STDOUT')
    .action(async (container: string, o: { output?: string }) => {
      const e = env();
      if (!o.output && process.stdout.isTTY) throw new CliExit(1, 'cowardly refusing to save to a terminal. Use the -o flag or redirect');
      const res = await e.client().containers.export(container);
      await pipeline(res, o.output ? createWriteStream(o.output) : process.stdout);
    });
}

function registerDiff(parent: Command, env: () => CliEnv): void {
  parent
    .command('diff')
    .description("Inspect changes to files or directories on a container's filesystem")
    .usage('CONTAINER')
    .argument('<container>')
    .action(async (container: string) => {
      const e = env();
      const changes = await e.client().containers.changes(container);
      const letter = ['C', 'A', 'D'];
      e.out.write((changes ?? []).map((c) => `${letter[c.Kind] ?? '?'} ${c.Path}\n`).join(''));
    });
}

/** `cp`, `export` and `diff`, at the top level and under `berth container`. */
export function registerFileCommands(program: Command, env: () => CliEnv): void {
  const group = program.commands.find((c) => c.name() === 'container');
  for (const parent of group ? [program, group] : [program]) {
    registerCp(parent, env);
    registerExport(parent, env);
    registerDiff(parent, env);
  }
}
