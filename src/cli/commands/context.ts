import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { readAll } from '../../client/api-client.js';
import { CliExit, type CliEnv } from '../cli-env.js';
import { ContextStore, validateContextName, type ContextMeta, type TlsMaterial } from '../context-store.js';
import { resolveContextName } from '../endpoint.js';
import { renderList } from '../output/format.js';
import { inspectJson, withFormatErrors } from '../output/inspect-output.js';
import { DEFAULT_HOST } from '../../client/api-client.js';

// `berth context …`, with the docker CLI's words and files (see context-store.ts).

const DEFAULT_DESCRIPTION = 'Current DOCKER_HOST based configuration';

function defaultMeta(): ContextMeta {
  const host = process.env.BERTH_HOST ?? process.env.DOCKER_HOST ?? DEFAULT_HOST;
  return { Name: 'default', Metadata: { Description: DEFAULT_DESCRIPTION }, Endpoints: { docker: { Host: host, SkipTLSVerify: false } } };
}

/** `host=…,ca=…,cert=…,key=…,skip-tls-verify=…` as docker's --docker takes it. */
function parseDockerFlag(value: string): { host?: string; skip: boolean; tls: TlsMaterial } {
  const out: { host?: string; skip: boolean; tls: TlsMaterial } = { skip: false, tls: {} };
  for (const part of value.split(',').filter(Boolean)) {
    const eq = part.indexOf('=');
    const [k, v] = eq < 0 ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)];
    const read = (f: string) => {
      try {
        return readFileSync(f);
      } catch (err) {
        throw new CliExit(1, `unable to create docker endpoint config: ${(err as Error).message}`);
      }
    };
    if (k === 'host') out.host = v;
    else if (k === 'ca') out.tls['ca.pem'] = read(v);
    else if (k === 'cert') out.tls['cert.pem'] = read(v);
    else if (k === 'key') out.tls['key.pem'] = read(v);
    else if (k === 'skip-tls-verify') out.skip = v === '' || v === 'true' || v === '1';
    else throw new CliExit(1, `unable to create docker endpoint config: unrecognized config key: ${k}`);
  }
  return out;
}

/** A name docker would accept for a new context. */
function checkNewName(s: ContextStore, name: string): void {
  try {
    validateContextName(name);
  } catch (err) {
    throw new CliExit(1, (err as Error).message);
  }
  if (s.get(name)) throw new CliExit(1, `context "${name}" already exists`);
}

function opts(program: Command) {
  return program.opts<{ context?: string; host?: string[] }>();
}

export function registerContextCommands(program: Command, env: () => CliEnv): void {
  const context = program.command('context').description('Manage contexts');
  const store = () => new ContextStore(env().configDir);
  const current = () => {
    try {
      return resolveContextName(opts(program), process.env, store());
    } catch {
      return store().current();
    }
  };
  const getOrFail = (s: ContextStore, name: string): ContextMeta => {
    if (name === 'default') return defaultMeta();
    const meta = s.get(name);
    if (!meta) throw new CliExit(1, `context "${name}" does not exist`);
    return meta;
  };

  context
    .command('create')
    .description('Create a context')
    .argument('<name>')
    .option('--description <text>', 'Description of the context')
    .option('--docker <endpoint>', 'set the docker endpoint (host=…,ca=…,cert=…,key=…,skip-tls-verify=…)')
    .option('--from <context>', 'create context from a named context')
    .action((name: string, o: { description?: string; docker?: string; from?: string }) => {
      const e = env();
      const s = store();
      checkNewName(s, name);
      let meta: ContextMeta;
      let tls: TlsMaterial = {};
      if (o.docker) {
        const d = parseDockerFlag(o.docker);
        if (!d.host) throw new CliExit(1, 'unable to create docker endpoint config: no host given');
        meta = { Name: name, Metadata: {}, Endpoints: { docker: { Host: d.host, SkipTLSVerify: d.skip } } };
        tls = d.tls;
      } else {
        // Without --docker, docker copies the context in use (or --from).
        const from = o.from ?? current();
        if (from === 'default') {
          const ep = e.endpoint;
          meta = { Name: name, Metadata: {}, Endpoints: { docker: { Host: ep.host, SkipTLSVerify: !!ep.tls && !ep.tls.verify } } };
          if (ep.tls) tls = { 'ca.pem': ep.tls.ca, 'cert.pem': ep.tls.cert, 'key.pem': ep.tls.key };
        } else {
          meta = { ...getOrFail(s, from), Name: name };
          tls = s.tls(from);
        }
        meta.Metadata = {};
      }
      if (o.description) meta.Metadata.Description = o.description;
      s.save(meta, tls);
      e.out.write(`${name}\n`);
      e.err.write(`Successfully created context "${name}"\n`);
    });

  context
    .command('ls')
    .alias('list')
    .description('List contexts')
    .option('-f, --format <string>', 'Format output using a custom template')
    .option('-q, --quiet', 'Only show context names')
    .action((o: { format?: string; quiet?: boolean }) => {
      const e = env();
      const s = store();
      const cur = current();
      const rows = [defaultMeta(), ...s.list()]
        .sort((a, b) => a.Name.localeCompare(b.Name))
        .map((m) => ({
          Current: m.Name === cur,
          Description: m.Metadata.Description ?? '',
          DockerEndpoint: m.Endpoints.docker?.Host ?? '',
          Error: '',
          Name: m.Name,
        }));
      if (o.quiet) {
        e.out.write(rows.map((r) => `${r.Name}\n`).join(''));
        return;
      }
      const shown = rows.map((r) => ({ ...r, Name: o.format ? r.Name : `${r.Name}${r.Current ? ' *' : ''}` }));
      e.out.write(
        withFormatErrors(() =>
          renderList(shown, {
            format: o.format,
            defaultTableFormat: 'table {{.Name}}\t{{.Description}}\t{{.DockerEndpoint}}\t{{.Error}}',
            headers: { Name: 'NAME', Description: 'DESCRIPTION', DockerEndpoint: 'DOCKER ENDPOINT', Error: 'ERROR', Current: 'CURRENT' },
            quietFormat: '{{.Name}}',
          }),
        ),
      );
    });

  context
    .command('use')
    .description('Set the current docker context')
    .argument('<name>')
    .action((name: string) => {
      const e = env();
      const s = store();
      getOrFail(s, name);
      s.setCurrent(name);
      e.out.write(`${name}\n`);
      e.err.write(`Current context is now "${name}"\n`);
      if (name !== 'default' && (process.env.DOCKER_HOST || process.env.BERTH_HOST)) {
        e.err.write('Warning: DOCKER_HOST environment variable overrides the active context. To use a context, either set the global --context flag, or unset DOCKER_HOST environment variable.\n');
      }
    });

  context
    .command('inspect')
    .description('Display detailed information on one or more contexts')
    .argument('[names...]')
    .option('-f, --format <string>', 'Format output using a custom template')
    .action(async (names: string[], o: { format?: string }) => {
      const e = env();
      const s = store();
      const list = names.length ? names : [current()];
      const found = list.map((n) => {
        const meta = getOrFail(s, n);
        const tls = n === 'default' ? {} : s.tls(n);
        const files = Object.keys(tls);
        return {
          ...meta,
          Metadata: n === 'default' ? {} : meta.Metadata,
          TLSMaterial: files.length ? { docker: files } : {},
          Storage: n === 'default' ? { MetadataPath: '<IN MEMORY>', TLSPath: '<IN MEMORY>' } : { MetadataPath: s.metaDir(n), TLSPath: s.tlsDir(n) },
        };
      });
      if (o.format && o.format !== 'json') {
        const { renderEach } = await import('../output/format.js');
        e.out.write(withFormatErrors(() => renderEach(found, o.format!)));
      } else e.out.write(inspectJson(found).replace(/</g, '\\u003c').replace(/>/g, '\\u003e'));
    });

  context
    .command('rm')
    .alias('remove')
    .description('Remove one or more contexts')
    .argument('<names...>')
    .option('-f, --force', 'Force the removal of a context in use')
    .action((names: string[], o: { force?: boolean }) => {
      const e = env();
      const s = store();
      const errors: string[] = [];
      const cur = s.current();
      for (const n of names) {
        if (n === 'default') errors.push('default: context "default" cannot be removed');
        else if (!s.get(n)) errors.push(`${n}: context "${n}" does not exist`);
        else if (n === cur && !o.force) errors.push(`${n}: context "${n}" is in use, set -f flag to force remove`);
        else {
          if (n === cur) s.setCurrent('default');
          s.remove(n);
          e.out.write(`${n}\n`);
        }
      }
      if (errors.length) throw new CliExit(1, errors.join('\n'));
    });

  context
    .command('export')
    .description('Export a context to a tar archive FILE or a tar stream on STDOUT')
    .argument('<name>')
    .argument('[file]')
    .action(async (name: string, file: string | undefined) => {
      const e = env();
      const s = store();
      if (name === 'default') throw new CliExit(1, 'context "default" cannot be exported');
      getOrFail(s, name);
      const data = await s.export(name);
      const target = file ?? `${name}.dockercontext`;
      if (target === '-') {
        e.out.write(data);
        return;
      }
      writeFileSync(target, data, { mode: 0o600 });
      e.err.write(`Written file "${target}"\n`);
    });

  context
    .command('import')
    .description('Import a context from a tar or zip file')
    .argument('<name>')
    .argument('<file>')
    .action(async (name: string, file: string) => {
      const e = env();
      const s = store();
      checkNewName(s, name);
      const data = file === '-' ? await readAll(process.stdin) : readFileSync(file);
      await s.import(name, data);
      e.out.write(`${name}\n`);
      e.err.write(`Successfully imported context "${name}"\n`);
    });
}
