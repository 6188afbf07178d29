import { homedir } from 'node:os';
import { join } from 'node:path';
import { ApiClient, DEFAULT_HOST } from '../client/api-client.js';

/** Raised to end the CLI with a given exit status (after printing what needed printing). */
export class CliExit extends Error {
  constructor(
    readonly code: number,
    message = '',
  ) {
    super(message);
  }
}

/** What every command gets: the client for the chosen daemon, the config dir and the streams. */
export interface CliEnv {
  client(): ApiClient;
  host: string;
  configDir: string;
  out: NodeJS.WriteStream;
  err: NodeJS.WriteStream;
}

export interface GlobalOptions {
  host?: string[];
  config?: string;
  logLevel?: string;
  debug?: boolean;
}

export function createEnv(opts: GlobalOptions): CliEnv {
  const host = opts.host?.[opts.host.length - 1] ?? process.env.BERTH_HOST ?? process.env.DOCKER_HOST ?? DEFAULT_HOST;
  const configDir = opts.config ?? process.env.DOCKER_CONFIG ?? join(homedir(), '.docker');
  let client: ApiClient | undefined;
  return {
    host,
    configDir,
    client: () => (client ??= new ApiClient(host, process.env.DOCKER_API_VERSION)),
    out: process.stdout,
    err: process.stderr,
  };
}
