import { homedir } from 'node:os';
import { join } from 'node:path';
import { ApiClient } from '../client/api-client.js';
import { resolveEndpoint, type Endpoint, type EndpointOptions } from './endpoint.js';

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
  /** The context in use ("default" for -H / DOCKER_HOST / the default socket). */
  contextName: string;
  endpoint: Endpoint;
  configDir: string;
  out: NodeJS.WriteStream;
  err: NodeJS.WriteStream;
}

export interface GlobalOptions extends EndpointOptions {
  config?: string;
  logLevel?: string;
  debug?: boolean;
}

export function createEnv(opts: GlobalOptions): CliEnv {
  const configDir = opts.config ?? process.env.DOCKER_CONFIG ?? join(homedir(), '.docker');
  // Resolved on first use: `berth context use default` must work while the current context is broken.
  let endpoint: Endpoint | undefined;
  const resolved = (): Endpoint => {
    try {
      return (endpoint ??= resolveEndpoint(opts, process.env, configDir));
    } catch (err) {
      throw new CliExit(1, (err as Error).message);
    }
  };
  let client: ApiClient | undefined;
  return {
    get host() {
      return resolved().host;
    },
    get contextName() {
      return resolved().contextName;
    },
    get endpoint() {
      return resolved();
    },
    configDir,
    client: () => (client ??= new ApiClient(resolved().host, process.env.DOCKER_API_VERSION, resolved().tls)),
    out: process.stdout,
    err: process.stderr,
  };
}
