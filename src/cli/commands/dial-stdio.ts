import type { Socket } from 'node:net';
import type { Command } from 'commander';
import { CliExit, type CliEnv } from '../cli-env.js';
import type { Endpoint } from '../endpoint.js';

// `system dial-stdio`: what a client over ssh runs on the daemon's host. stdin goes to the daemon's
// socket and its answers to stdout; the end of stdin half-closes the socket (a client that has sent
// its request still gets the whole answer), the end of the answer ends the command, as docker's does.

// node:net and node:tls are taken on use: the CLI's startup snapshot cannot hold them (Node 20).
const netConnect = (opts: import('node:net').NetConnectOpts): Socket => process.getBuiltinModule('node:net').connect(opts);
const tlsConnect = (opts: import('node:tls').ConnectionOptions): Socket => process.getBuiltinModule('node:tls').connect(opts);

function dial(ep: Endpoint): Socket {
  const url = new URL(ep.host);
  if (url.protocol === 'unix:') return netConnect({ path: url.pathname, allowHalfOpen: true });
  if (url.protocol === 'tcp:') {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = Number(url.port);
    if (!ep.tls) return netConnect({ host, port, allowHalfOpen: true });
    return tlsConnect({ host, port, ca: ep.tls.ca, cert: ep.tls.cert, key: ep.tls.key, rejectUnauthorized: ep.tls.verify });
  }
  throw new CliExit(1, `dial-stdio: unsupported host ${ep.host}`);
}

export function dialStdio(ep: Endpoint): Promise<void> {
  return new Promise((resolve, reject) => {
    const conn = dial(ep);
    conn.once('error', (err) => reject(new CliExit(1, `dial-stdio: ${ep.host}: ${err.message}`)));
    process.stdin.pipe(conn, { end: true });
    conn.pipe(process.stdout, { end: false });
    conn.once('end', () => {
      // The daemon is done: stdin may stay open (the peer has not closed its side); stop here.
      process.stdin.unpipe(conn);
      process.stdin.destroy();
      process.stdout.write('', () => resolve());
    });
  });
}

export function registerDialStdioCommand(program: Command, env: () => CliEnv): void {
  const system = program.commands.find((c) => c.name() === 'system') ?? program.command('system').description('Manage berth');
  system
    .command('dial-stdio')
    .description('Proxy the stdio stream to the daemon connection (what a client over ssh runs)')
    .action(async () => {
      await dialStdio(env().endpoint);
      process.exit(0);
    });
}
