import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { CliExit, type CliEnv } from '../cli-env.js';

// `berth login` / `logout` and the credentials they keep in config.json's `auths`, in the docker
// CLI's format (base64 "user:password" per registry), plus the X-Registry-Auth header built from them.

export const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';

interface ConfigFile {
  auths?: Record<string, { auth?: string; identitytoken?: string }>;
  [k: string]: unknown;
}

function configPath(e: CliEnv): string {
  return join(e.configDir, 'config.json');
}

function readConfig(e: CliEnv): ConfigFile {
  try {
    return JSON.parse(readFileSync(configPath(e), 'utf8')) as ConfigFile;
  } catch {
    return {};
  }
}

function writeConfig(e: CliEnv, cfg: ConfigFile): void {
  mkdirSync(e.configDir, { recursive: true, mode: 0o700 });
  const tmp = `${configPath(e)}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(cfg, null, '\t') + '\n', { mode: 0o600 });
  renameSync(tmp, configPath(e));
}

/** The registry host of an image reference, as docker's splitDockerDomain decides it. */
export function registryOf(ref: string): string {
  const i = ref.indexOf('/');
  if (i === -1) return 'docker.io';
  const first = ref.slice(0, i);
  if (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first) return 'docker.io';
  return first === 'index.docker.io' ? 'docker.io' : first;
}

/** The key config.json uses for a registry (Docker Hub keeps its legacy URL). */
export function configKey(server: string): string {
  const host = server.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  return host === 'docker.io' || host === 'index.docker.io' || host === 'registry-1.docker.io' ? DOCKER_HUB_KEY : host;
}

/** X-Registry-Auth for pulling `ref`, from stored credentials (undefined when there are none). */
export function registryAuthHeader(e: CliEnv, ref: string): string | undefined {
  const server = registryOf(ref);
  const entry = readConfig(e).auths?.[configKey(server)];
  if (!entry?.auth && !entry?.identitytoken) return undefined;
  const text = entry.auth ? Buffer.from(entry.auth, 'base64').toString('utf8') : '';
  const i = text.indexOf(':');
  const doc = {
    username: i > 0 ? text.slice(0, i) : undefined,
    password: i > 0 ? text.slice(i + 1) : undefined,
    identitytoken: entry.identitytoken,
    serveraddress: configKey(server),
  };
  return Buffer.from(JSON.stringify(doc)).toString('base64url');
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export function registerLoginCommands(program: Command, env: () => CliEnv): void {
  program
    .command('login')
    .description('Authenticate to a registry')
    .usage('[OPTIONS] [SERVER]')
    .argument('[server]')
    .option('-u, --username <string>', 'Username')
    .option('-p, --password <string>', 'Password or Personal Access Token (PAT)')
    .option('--password-stdin', 'Take the Password or Personal Access Token (PAT) from stdin')
    .action(async (server: string | undefined, o: { username?: string; password?: string; passwordStdin?: boolean }) => {
      const e = env();
      if (o.password && o.passwordStdin) throw new CliExit(1, '--password and --password-stdin are mutually exclusive');
      let password = o.password;
      if (o.passwordStdin) {
        if (!o.username) throw new CliExit(1, 'Must provide --username with --password-stdin');
        password = await readStdin();
      } else if (o.password) {
        e.err.write('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
      }
      if (!o.username || password === undefined) throw new CliExit(1, 'Error: Cannot perform an interactive login from a non TTY device');
      const key = configKey(server ?? 'docker.io');
      const res = await e.client().system.auth({ username: o.username, password, serveraddress: key });
      const cfg = readConfig(e);
      cfg.auths = { ...(cfg.auths ?? {}) };
      cfg.auths[key] = res?.IdentityToken
        ? { auth: '', identitytoken: res.IdentityToken }
        : { auth: Buffer.from(`${o.username}:${password}`).toString('base64') };
      writeConfig(e, cfg);
      e.err.write(
        `\nWARNING! Your credentials are stored unencrypted in '${configPath(e)}'.\nConfigure a credential helper to remove this warning. See\nhttps://docs.docker.com/go/credential-store/\n\n`,
      );
      e.out.write(`${res?.Status ?? 'Login Succeeded'}\n`);
    });

  program
    .command('logout')
    .description('Log out from a registry')
    .usage('[SERVER]')
    .argument('[server]')
    .action((server: string | undefined) => {
      const e = env();
      const key = configKey(server ?? 'docker.io');
      const cfg = readConfig(e);
      if (!existsSync(configPath(e)) || !cfg.auths?.[key]) {
        e.out.write(`Not logged in to ${key}\n`);
        return;
      }
      e.out.write(`Removing login credentials for ${key}\n`);
      delete cfg.auths[key];
      writeConfig(e, cfg);
    });
}
