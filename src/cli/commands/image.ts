import type { Command } from 'commander';
import { ApiError } from '../../client/api-client.js';
import { CliExit, type CliEnv } from '../cli-env.js';
import { confirm } from '../confirm.js';
import { renderList } from '../output/format.js';
import { renderJsonMessages, JsonMessageError } from '../output/progress.js';
import { humanDuration, humanSize } from '../output/units.js';
import { printInspected, withFormatErrors } from '../output/inspect-output.js';
import { filtersJson } from './container/ps.js';
import { registerLoginCommands, registryAuthHeader } from './registry-login.js';

// `berth pull/images/rmi/tag/history` and `berth image …`, with docker's flags and output.

const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];

/** True when the reference names a tag or digest (`busybox:1`, `a@sha256:…`), not just a repository. */
function hasTagOrDigest(ref: string): boolean {
  return ref.includes('@') || ref.slice(ref.lastIndexOf('/') + 1).includes(':');
}

/** docker's normalised display of a pulled reference: `docker.io/library/nginx:latest`. */
function fullyQualified(ref: string): string {
  const i = ref.indexOf('/');
  const first = i === -1 ? '' : ref.slice(0, i);
  if (i !== -1 && (/[.:]/.test(first) || first === 'localhost')) return ref;
  return i === -1 ? `docker.io/library/${ref}` : `docker.io/${ref}`;
}

function shortImageId(id: string, noTrunc: boolean): string {
  return noTrunc ? id : id.replace(/^sha256:/, '').slice(0, 12);
}

function splitRepoTag(ref: string): { repo: string; tag: string } {
  const at = ref.indexOf('@');
  if (at >= 0) return { repo: ref.slice(0, at), tag: '<none>' };
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  return colon > slash ? { repo: ref.slice(0, colon), tag: ref.slice(colon + 1) } : { repo: ref, tag: '<none>' };
}

async function pull(e: CliEnv, ref: string, o: { allTags?: boolean; platform?: string; quiet?: boolean }): Promise<void> {
  let name = ref;
  if (!o.allTags && !hasTagOrDigest(ref)) {
    e.out.write('Using default tag: latest\n');
    name = `${ref}:latest`;
  }
  let fromImage = name;
  let tag: string | undefined;
  if (!o.allTags) {
    const at = name.indexOf('@');
    if (at >= 0) {
      fromImage = name.slice(0, at);
      tag = name.slice(at + 1);
    } else {
      const { repo, tag: t } = splitRepoTag(name);
      fromImage = repo;
      tag = t;
    }
  }
  const auth = registryAuthHeader(e, ref);
  const messages = await e.client().images.pull({ fromImage, tag, platform: o.platform, auth });
  const out = o.quiet ? { write: () => true } : e.out;
  try {
    await renderJsonMessages(messages, out as NodeJS.WritableStream, {
      isTTY: !o.quiet && !!e.out.isTTY,
      columns: e.out.columns,
    });
  } catch (err) {
    if (err instanceof JsonMessageError) throw new CliExit(1, err.message);
    throw err;
  }
  if (!o.allTags) e.out.write(`${fullyQualified(name)}\n`);
}

interface ListOptions {
  all?: boolean;
  digests?: boolean;
  filter?: string[];
  format?: string;
  noTrunc?: boolean;
  quiet?: boolean;
}

async function listImages(e: CliEnv, repoFilter: string | undefined, o: ListOptions): Promise<void> {
  const filters = filtersJson(o.filter ?? []) ?? {};
  if (repoFilter) (filters.reference ??= {})[repoFilter] = true;
  const images = await e.client().images.list({ all: o.all, digests: o.digests, filters });
  const now = Date.now();
  const rows: Record<string, unknown>[] = [];
  for (const img of images) {
    const base = {
      ID: shortImageId(img.Id, !!o.noTrunc),
      CreatedSince: `${humanDuration(now - img.Created * 1000)} ago`,
      CreatedAt: new Date(img.Created * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' +0000 UTC'),
      Size: humanSize(img.Size),
      Containers: img.Containers >= 0 ? String(img.Containers) : 'N/A',
      SharedSize: 'N/A',
      UniqueSize: 'N/A',
      VirtualSize: humanSize(img.Size),
    };
    const tags = img.RepoTags ?? [];
    const digests = img.RepoDigests ?? [];
    if (tags.length === 0) {
      const d = digests[0] ? digests[0].slice(digests[0].indexOf('@') + 1) : '<none>';
      const repo = digests[0] ? digests[0].slice(0, digests[0].indexOf('@')) : '<none>';
      rows.push({ ...base, Repository: repo, Tag: '<none>', Digest: d });
      continue;
    }
    for (const t of tags) {
      const { repo, tag } = splitRepoTag(t);
      const d = digests.find((x) => x.startsWith(`${repo}@`));
      rows.push({ ...base, Repository: repo, Tag: tag, Digest: d ? d.slice(d.indexOf('@') + 1) : '<none>' });
    }
  }
  if (o.quiet) {
    const seen = new Set<string>();
    for (const r of rows) {
      if (seen.has(r.ID as string)) continue;
      seen.add(r.ID as string);
      e.out.write(`${r.ID}\n`);
    }
    return;
  }
  const table = o.digests
    ? 'table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}'
    : 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}';
  e.out.write(
    withFormatErrors(() =>
      renderList(rows, {
        format: o.format,
        defaultTableFormat: table,
        headers: {
          Repository: 'REPOSITORY', Tag: 'TAG', Digest: 'DIGEST', ID: 'IMAGE ID', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT',
          Size: 'SIZE', Containers: 'CONTAINERS', SharedSize: 'SHARED SIZE', UniqueSize: 'UNIQUE SIZE', VirtualSize: 'VIRTUAL SIZE',
        },
      }),
    ),
  );
}

async function removeImages(e: CliEnv, names: string[], o: { force?: boolean; prune?: boolean }): Promise<void> {
  const errors: string[] = [];
  for (const n of names) {
    try {
      const records = await e.client().images.remove(n, { force: o.force, noprune: o.prune === false });
      for (const r of records ?? []) e.out.write(r.Untagged ? `Untagged: ${r.Untagged}\n` : `Deleted: ${r.Deleted}\n`);
    } catch (err) {
      if (err instanceof ApiError) errors.push(`Error response from daemon: ${err.message}`);
      else throw err;
    }
  }
  if (errors.length) throw new CliExit(1, errors.join('\n'));
}

async function tagImage(e: CliEnv, source: string, target: string): Promise<void> {
  const { repo, tag } = splitRepoTag(target);
  if (target.includes('@')) throw new CliExit(1, 'Error response from daemon: refusing to create a tag with a digest reference');
  await e.client().images.tag(source, repo, tag === '<none>' ? 'latest' : tag);
}

async function inspectImages(e: CliEnv, names: string[], o: { format?: string }): Promise<void> {
  const found: unknown[] = [];
  const errors: string[] = [];
  for (const n of names) {
    try {
      found.push(await e.client().images.inspect(n));
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) errors.push(`Error response from daemon: ${err.message}`);
      else throw err;
    }
  }
  printInspected(e, found, errors, o.format);
}

async function history(e: CliEnv, name: string, o: { human?: boolean; noTrunc?: boolean; quiet?: boolean; format?: string }): Promise<void> {
  const items = await e.client().images.history(name);
  const now = Date.now();
  const human = o.human !== false;
  const rows = items.map((h) => {
    let createdBy = String(h.CreatedBy ?? '').replace(/\s+/g, ' ').trim();
    if (!o.noTrunc && createdBy.length > 45) createdBy = createdBy.slice(0, 44) + '…';
    return {
      ID: h.Id === '<missing>' ? '<missing>' : shortImageId(h.Id, !!o.noTrunc),
      CreatedSince: human ? `${humanDuration(now - h.Created * 1000)} ago` : new Date(h.Created * 1000).toISOString(),
      CreatedAt: new Date(h.Created * 1000).toISOString(),
      CreatedBy: createdBy,
      Size: human ? humanSize(h.Size) : String(h.Size),
      Comment: h.Comment ?? '',
    };
  });
  if (o.quiet) {
    for (const r of rows) e.out.write(`${r.ID}\n`);
    return;
  }
  e.out.write(
    withFormatErrors(() =>
      renderList(rows, {
        format: o.format,
        defaultTableFormat: 'table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}',
        headers: { ID: 'IMAGE', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT', CreatedBy: 'CREATED BY', Size: 'SIZE', Comment: 'COMMENT' },
      }),
    ),
  );
}

async function prune(e: CliEnv, o: { all?: boolean; force?: boolean; filter?: string[] }): Promise<void> {
  const warning = o.all
    ? 'WARNING! This will remove all images without at least one container associated to them.\nAre you sure you want to continue? [y/N] '
    : 'WARNING! This will remove all dangling images.\nAre you sure you want to continue? [y/N] ';
  if (!o.force && !(await confirm(e, warning))) return;
  const filters = filtersJson(o.filter ?? []) ?? {};
  if (o.all) filters.dangling = { false: true };
  const res = (await e.client().images.prune(filters)) ?? {};
  if (res.ImagesDeleted?.length) {
    e.out.write('Deleted Images:\n');
    for (const r of res.ImagesDeleted) e.out.write(r.Untagged ? `untagged: ${r.Untagged}\n` : `deleted: ${r.Deleted}\n`);
    e.out.write('\n');
  }
  e.out.write(`Total reclaimed space: ${humanSize(res.SpaceReclaimed ?? 0)}\n`);
}

function addPull(cmd: Command, env: () => CliEnv): void {
  cmd
    .description('Download an image from a registry')
    .usage('[OPTIONS] NAME[:TAG|@DIGEST]')
    .argument('<name>')
    .option('-a, --all-tags', 'Download all tagged images in the repository')
    .option('--disable-content-trust', 'Skip image verification', true)
    .option('--platform <string>', 'Set platform if server is multi-platform capable')
    .option('-q, --quiet', 'Suppress verbose output')
    .action((name: string, o: { allTags?: boolean; platform?: string; quiet?: boolean }) => pull(env(), name, o));
}

function addList(cmd: Command, env: () => CliEnv): void {
  cmd
    .description('List images')
    .usage('[OPTIONS] [REPOSITORY[:TAG]]')
    .argument('[repository]')
    .option('-a, --all', 'Show all images (default hides intermediate images)')
    .option('--digests', 'Show digests')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided', collect)
    .option('--format <string>', 'Format output using a custom template')
    .option('--no-trunc', "Don't truncate output")
    .option('-q, --quiet', 'Only show image IDs')
    .action((repo: string | undefined, o: ListOptions & { trunc?: boolean }) => listImages(env(), repo, { ...o, noTrunc: o.trunc === false }));
}

function addRemove(cmd: Command, env: () => CliEnv): void {
  cmd
    .description('Remove one or more images')
    .usage('[OPTIONS] IMAGE [IMAGE...]')
    .argument('<images...>')
    .option('-f, --force', 'Force removal of the image')
    .option('--no-prune', 'Do not delete untagged parents')
    .action((names: string[], o: { force?: boolean; prune?: boolean }) => removeImages(env(), names, o));
}

function addTag(cmd: Command, env: () => CliEnv): void {
  cmd
    .description('Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE')
    .usage('SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]')
    .argument('<source>')
    .argument('<target>')
    .action((source: string, target: string) => tagImage(env(), source, target));
}

function addHistory(cmd: Command, env: () => CliEnv): void {
  cmd
    .description('Show the history of an image')
    .usage('[OPTIONS] IMAGE')
    .argument('<image>')
    .option('--format <string>', 'Format output using a custom template')
    .option('-H, --human [bool]', 'Print sizes and dates in human readable format', (v: string) => v !== 'false', true)
    .option('--no-trunc', "Don't truncate output")
    .option('-q, --quiet', 'Only show image IDs')
    .action((name: string, o: { human?: boolean; trunc?: boolean; quiet?: boolean; format?: string }) =>
      history(env(), name, { ...o, noTrunc: o.trunc === false }),
    );
}

export function registerImageCommands(program: Command, env: () => CliEnv): void {
  addPull(program.command('pull'), env);
  addList(program.command('images'), env);
  addRemove(program.command('rmi'), env);
  addTag(program.command('tag'), env);
  addHistory(program.command('history'), env);
  registerLoginCommands(program, env);

  const group = program.command('image').description('Manage images').usage('COMMAND').enablePositionalOptions();
  addPull(group.command('pull'), env);
  addList(group.command('ls').alias('list'), env);
  addRemove(group.command('rm').alias('remove'), env);
  addTag(group.command('tag'), env);
  addHistory(group.command('history'), env);
  group
    .command('inspect')
    .description('Display detailed information on one or more images')
    .usage('[OPTIONS] IMAGE [IMAGE...]')
    .argument('<images...>')
    .option('-f, --format <string>', 'Format output using a custom template')
    .action((names: string[], o: { format?: string }) => inspectImages(env(), names, o));
  group
    .command('prune')
    .description('Remove unused images')
    .option('-a, --all', 'Remove all unused images, not just dangling ones')
    .option('--filter <filter>', 'Provide filter values (e.g. "until=<timestamp>")', collect)
    .option('-f, --force', 'Do not prompt for confirmation')
    .action((o: { all?: boolean; force?: boolean; filter?: string[] }) => prune(env(), o));
}
