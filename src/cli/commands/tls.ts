import { existsSync } from 'node:fs';
import { hostname, homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { CliExit, type CliEnv } from '../cli-env.js';
import { caFiles, makeCa, makeLeaf, serverAltNames } from '../tls/certificates.js';

const DEFAULT_DIR = '/etc/berth/tls';

const collect = (v: string, prev: string[] = []) => [...prev, v];

function refuseExisting(files: string[], force: boolean | undefined): void {
  if (force) return;
  const found = files.filter((f) => existsSync(f));
  if (found.length) throw new CliExit(1, `${found.join(', ')} already exist${found.length === 1 ? 's' : ''} (use --force to replace)`);
}

function clientDirDefault(): string {
  return process.env.DOCKER_CERT_PATH || join(process.env.DOCKER_CONFIG || join(homedir(), '.docker'));
}

export function registerTlsCommands(program: Command, env: () => CliEnv): void {
  const tls = program.command('tls').description('Make certificates for a daemon reached over tcp:// with mutual TLS');

  tls
    .command('init')
    .description('Make a CA, a server certificate for berthd and one client certificate')
    .option('--hostname <name>', 'A DNS name clients use to reach the daemon (repeatable)', collect, [])
    .option('--ip <address>', 'An IP address clients use to reach the daemon (repeatable)', collect, [])
    .option('--dir <dir>', 'Where the CA and the server files go', DEFAULT_DIR)
    .option('--client-dir <dir>', 'Where the client files go (default $DOCKER_CERT_PATH or ~/.docker)')
    .option('--client-name <name>', 'Common name of the client certificate')
    .option('--days <n>', 'Validity of the server and client certificates, in days', '825')
    .option('-f, --force', 'Replace existing files')
    .action((opts: { hostname: string[]; ip: string[]; dir: string; clientDir?: string; clientName?: string; days: string; force?: boolean }) => {
      const e = env();
      const clientDir = opts.clientDir ?? clientDirDefault();
      const ca = caFiles(opts.dir);
      refuseExisting([ca.cert, ca.key, join(opts.dir, 'cert.pem'), join(opts.dir, 'key.pem'), join(clientDir, 'cert.pem'), join(clientDir, 'key.pem')], opts.force);
      const days = Number(opts.days);
      const names = opts.hostname.length ? opts.hostname : [hostname()];
      makeCa(opts.dir, `berth CA ${names[0]}`);
      const altNames = serverAltNames(names, opts.ip);
      makeLeaf({ caDir: opts.dir, outDir: opts.dir, kind: 'server', commonName: names[0]!, altNames, days });
      const clientName = opts.clientName ?? userInfo().username;
      makeLeaf({ caDir: opts.dir, outDir: clientDir, kind: 'client', commonName: clientName, days });
      const dirFlags = opts.dir === DEFAULT_DIR ? '' : `,\n  "tlscacert": "${join(opts.dir, 'ca.pem')}",\n  "tlscert": "${join(opts.dir, 'cert.pem')}",\n  "tlskey": "${join(opts.dir, 'key.pem')}"`;
      e.out.write(
        `CA, server and client certificates written.\n` +
          `  CA:     ${ca.cert} (its key ${ca.key} stays on this host)\n` +
          `  server: ${join(opts.dir, 'cert.pem')} for ${altNames.join(', ')}\n` +
          `  client: ${join(clientDir, 'cert.pem')} (CN=${clientName})\n\n` +
          `In /etc/berth/daemon.json:\n{\n  "hosts": ["unix:///run/berth/berth.sock", "tcp://0.0.0.0:2376"],\n  "tlsverify": true${dirFlags}\n}\n\n` +
          `On the client (copy ${clientDir}/{ca,cert,key}.pem there):\n` +
          `  export DOCKER_HOST=tcp://${names[0]}:2376 DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=${clientDir}\n`,
      );
    });

  tls
    .command('client')
    .description('Make another client certificate signed by the CA')
    .argument('<name>', 'Common name of the client')
    .option('--readonly', 'Limit the certificate to read routes (OU=readonly)')
    .option('--dir <dir>', 'Directory of the CA', DEFAULT_DIR)
    .option('--out <dir>', 'Where the client files go (default <dir>/clients/<name>)')
    .option('--days <n>', 'Validity in days', '825')
    .option('-f, --force', 'Replace existing files')
    .action((name: string, opts: { readonly?: boolean; dir: string; out?: string; days: string; force?: boolean }) => {
      const e = env();
      const out = opts.out ?? join(opts.dir, 'clients', name);
      refuseExisting([join(out, 'cert.pem'), join(out, 'key.pem')], opts.force);
      makeLeaf({ caDir: opts.dir, outDir: out, kind: 'client', commonName: name, organizationalUnit: opts.readonly ? 'readonly' : undefined, days: Number(opts.days) });
      e.out.write(`Client certificate for ${name}${opts.readonly ? ' (read-only)' : ''} written to ${out}: ca.pem, cert.pem, key.pem\n`);
    });
}
