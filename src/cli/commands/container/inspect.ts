import type { Command } from 'commander';
import { ApiError, type ApiClient } from '../../../client/api-client.js';
import { CliExit, type CliEnv } from '../../cli-env.js';
import { printInspected } from '../../output/inspect-output.js';

// `berth inspect` (any object, trying each type in docker's order) and `container inspect`.

type ObjectType = 'container' | 'image' | 'network' | 'volume';

const FETCHERS: Record<ObjectType, (c: ApiClient, name: string, size: boolean) => Promise<unknown>> = {
  container: (c, n, size) => c.containers.inspect(n, { size }),
  image: (c, n) => c.images.inspect(n),
  network: (c, n) => c.networks.inspect(n),
  volume: (c, n) => c.volumes.inspect(n),
};

/** docker's JSON output: the daemon's objects re-indented by 4 spaces (no HTML escaping). */
async function fetchObject(client: ApiClient, name: string, types: ObjectType[], size: boolean): Promise<unknown> {
  for (const type of types) {
    try {
      return await FETCHERS[type](client, name, size);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) continue;
      throw err;
    }
  }
  return undefined;
}

interface InspectOptions {
  format?: string;
  size?: boolean;
  type?: string;
}

async function inspect(e: CliEnv, names: string[], types: ObjectType[], notFound: (name: string) => string, o: InspectOptions): Promise<void> {
  const found: unknown[] = [];
  const errors: string[] = [];
  for (const name of names) {
    const obj = await fetchObject(e.client(), name, types, o.size === true);
    if (obj === undefined) errors.push(notFound(name));
    else found.push(obj);
  }
  printInspected(e, found, errors, o.format);
}

export function registerInspectCommand(parent: Command, env: () => CliEnv, containerOnly: boolean): void {
  const cmd = parent
    .command('inspect')
    .description(containerOnly ? 'Display detailed information on one or more containers' : 'Return low-level information on Docker objects')
    .usage(containerOnly ? '[OPTIONS] CONTAINER [CONTAINER...]' : '[OPTIONS] NAME|ID [NAME|ID...]')
    .argument('<names...>')
    .option('-f, --format <string>', 'Format output using a custom template')
    .option('-s, --size', 'Display total file sizes if the type is container');
  if (!containerOnly) cmd.option('--type <string>', 'Only inspect objects of the given type');
  cmd.action(async (names: string[], o: InspectOptions) => {
    const e = env();
    if (containerOnly) {
      await inspect(e, names, ['container'], (n) => `Error response from daemon: No such container: ${n}`, o);
      return;
    }
    if (o.type && !(o.type in FETCHERS)) throw new CliExit(1, `"${o.type}" is not a valid value for --type`);
    const types = o.type ? [o.type as ObjectType] : (Object.keys(FETCHERS) as ObjectType[]);
    await inspect(e, names, types, (n) => (o.type ? `Error: No such ${o.type}: ${n}` : `Error: No such object: ${n}`), o);
  });
}
