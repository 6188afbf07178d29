import { createReadStream, createWriteStream, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import type { JsonMessage, QueryPairs } from '../../client/api-client.js';
import { CliExit, type CliEnv } from '../cli-env.js';
import { renderJsonMessages, JsonMessageError } from '../output/progress.js';
import { registryAuthHeader } from './registry-login.js';

// `berth commit/save/load/import/push` (and their `image …`/`container commit` forms), with docker's flags and output.

const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];


function splitRepoTag(ref: string): { repo: string; tag?: string } {
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  return colon > slash ? { repo: ref.slice(0, colon), tag: ref.slice(colon + 1) } : { repo: ref };
}

async function render(e: CliEnv, messages: AsyncIterable<JsonMessage>, quiet = false): Promise<void> {
  const out = quiet ? ({ write: () => true } as unknown as NodeJS.WritableStream) : e.out;
  try {
    await renderJsonMessages(messages, out, { isTTY: !quiet && !!e.out.isTTY, columns: e.out.columns });
  } catch (err) {
    if (err instanceof JsonMessageError) throw new CliExit(1, err.message);
    throw err;
  }
}

function addCommit(cmd: Command, env: () => CliEnv): void {
  cmd
    .description("Create a new image from a container's changes")
    .usage('[OPTIONS] CONTAINER [REPOSITORY[:TAG]]')
    .argument('<container>')
    .argument('[repository]')
    .option('-a, --author <string>', 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")')
    .option('-c, --change <value>', 'Apply Dockerfile instruction to the created image', collect)
    .option('-m, --message <string>', 'Commit message')
    .option('-p, --pause', 'Pause container during commit', true)
    .option('--no-pause', 'Do not pause the container during commit')
    .action(async (container: string, repository: string | undefined, o: { author?: string; change?: string[]; message?: string; pause: boolean }) => {
      const e = env();
      const { repo, tag } = repository ? splitRepoTag(repository) : { repo: undefined, tag: undefined };
      const r = await e.client().images.commit([
        ['container', container],
        ['repo', repo],
        ['tag', tag],
        ['author', o.author],
        ['comment', o.message],
        ['pause', o.pause ? '1' : '0'],
        ...(o.change ?? []).map((c): [string, string] => ['changes', c]),
      ]);
      e.out.write(`${r.Id}\n`);
    });
}

function addSave(cmd: Command, env: () => CliEnv): void {
  cmd
    .description('Save one or more images to a tar archive (streamed to STDOUT by default)')
    .usage('[OPTIONS] IMAGE [IMAGE...]')
    .argument('<images...>')
    .option('-o, --output <string>', 'Write to a file, instead of STDOUT')
    .action(async (images: string[], o: { output?: string }) => {
      const e = env();
      if (!o.output && e.out.isTTY) throw new CliExit(1, 'cowardly refusing to save to a terminal. Use the -o flag or redirect');
      const res = await e.client().images.save(images);
      if (!o.output) {
        await pipeline(res, e.out);
        return;
      }
      // Written beside the target and renamed, so a failed save leaves no half file.
      const tmp = join(dirname(o.output), `.berth-save-${process.pid}`);
      try {
        await pipeline(res, createWriteStream(tmp));
        renameSync(tmp, o.output);
      } catch (err) {
        rmSync(tmp, { force: true });
        throw new CliExit(1, `failed to save image: ${(err as Error).message}`);
      }
    });
}

function addLoad(cmd: Command, env: () => CliEnv): void {
  cmd
    .description('Load an image from a tar archive or STDIN')
    .usage('[OPTIONS]')
    .option('-i, --input <string>', 'Read from tar archive file, instead of STDIN')
    .option('-q, --quiet', 'Suppress the load output')
    .action(async (o: { input?: string; quiet?: boolean }) => {
      const e = env();
      if (!o.input && process.stdin.isTTY) throw new CliExit(1, 'requested load from stdin, but stdin is empty');
      const body = o.input ? createReadStream(o.input) : process.stdin;
      const quiet = o.quiet || !e.out.isTTY;
      await render(e, await e.client().images.load(body, quiet));
    });
}

function addImport(cmd: Command, env: () => CliEnv): void {
  cmd
    .description('Import the contents from a tarball to create a filesystem image')
    .usage('[OPTIONS] file|URL|- [REPOSITORY[:TAG]]')
    .argument('<file>')
    .argument('[repository]')
    .option('-c, --change <value>', 'Apply Dockerfile instruction to the created image', collect)
    .option('-m, --message <string>', 'Set commit message for imported image')
    .option('--platform <string>', 'Set platform if server is multi-platform capable')
    .action(async (file: string, repository: string | undefined, o: { change?: string[]; message?: string; platform?: string }) => {
      const e = env();
      if (/^https?:\/\//.test(file)) throw new CliExit(1, 'importing from a URL is not supported by berth; download the file first');
      const { repo, tag } = repository ? splitRepoTag(repository) : { repo: undefined, tag: undefined };
      const params: QueryPairs = [
        ['repo', repo],
        ['tag', tag],
        ['message', o.message],
        ['platform', o.platform],
        ...(o.change ?? []).map((c): [string, string] => ['changes', c]),
      ];
      const body = file === '-' ? process.stdin : createReadStream(file);
      // Docker prints the new image ID (the status of the only message).
      await render(e, await e.client().images.import(params, body));
    });
}

function addPush(cmd: Command, env: () => CliEnv): void {
  cmd
    .description('Upload an image to a registry')
    .usage('[OPTIONS] NAME[:TAG]')
    .argument('<name>')
    .option('-a, --all-tags', 'Push all tags of an image to the repository')
    .option('-q, --quiet', 'Suppress verbose output')
    .option('--platform <string>', 'Push a platform-specific manifest as a single-platform image')
    .action(async (name: string, o: { allTags?: boolean; quiet?: boolean }) => {
      const e = env();
      const split = name.includes('@') ? { repo: name, tag: undefined } : splitRepoTag(name);
      const repo = split.repo;
      let tag = split.tag;
      if (o.allTags && tag) throw new CliExit(1, 'tag can\'t be used with --all-tags/-a');
      if (!o.allTags && !tag) {
        e.out.write('Using default tag: latest\n');
        tag = 'latest';
      }
      const auth = registryAuthHeader(e, name);
      const messages = await e.client().images.push(repo, tag, auth ?? Buffer.from('{}').toString('base64url'));
      await render(e, messages, o.quiet);
      if (o.quiet) e.out.write(`${repo}${tag ? `:${tag}` : ''}\n`);
    });
}

export function registerImageTransferCommands(program: Command, env: () => CliEnv): void {
  addCommit(program.command('commit'), env);
  addSave(program.command('save'), env);
  addLoad(program.command('load'), env);
  addImport(program.command('import'), env);
  addPush(program.command('push'), env);
  const image = program.commands.find((c) => c.name() === 'image');
  if (image) {
    addSave(image.command('save'), env);
    addLoad(image.command('load'), env);
    addImport(image.command('import'), env);
    addPush(image.command('push'), env);
  }
  const container = program.commands.find((c) => c.name() === 'container');
  if (container) addCommit(container.command('commit'), env);
}
