import { spawn } from 'node:child_process';
import { Duplex, PassThrough } from 'node:stream';

// ssh://user@host[:port][/socket] through the system ssh binary, as the docker CLI does: the agent,
// known_hosts and ~/.ssh/config all apply. The remote runs `berth system dial-stdio` (or, where
// berth is not installed, `docker system dial-stdio`), which joins the ssh channel to its socket.

export interface SshTarget {
  user?: string;
  host: string;
  port?: string;
  /** Remote socket path; without it the remote CLI uses its own default (or its DOCKER_HOST). */
  socket?: string;
}

export function parseSshHost(host: string): SshTarget {
  const url = new URL(host);
  if (url.protocol !== 'ssh:' || !url.hostname) throw new Error(`invalid ssh host ${host}: expected ssh://[user@]host[:port][/socket-path]`);
  if (url.password) throw new Error(`invalid ssh host ${host}: a password in the URL is not supported (use an ssh key or the agent)`);
  return {
    user: url.username ? decodeURIComponent(url.username) : undefined,
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port || undefined,
    socket: url.pathname && url.pathname !== '/' ? decodeURIComponent(url.pathname) : undefined,
  };
}

/** The remote command: berth when the remote has it, else the docker CLI. */
export function remoteDialCommand(t: SshTarget): string {
  const h = t.socket ? ` --host unix://${t.socket.replace(/[^\w./-]/g, (c) => `\\${c}`)}` : '';
  return `if command -v berth >/dev/null 2>&1; then exec berth${h} system dial-stdio; else exec docker${h} system dial-stdio; fi`;
}

export function sshArgs(t: SshTarget): string[] {
  const args = ['-o', 'ConnectTimeout=30', '-T'];
  if (t.user) args.push('-l', t.user);
  if (t.port) args.push('-p', t.port);
  return [...args, '--', t.host, remoteDialCommand(t)];
}

/** A two-way stream to the remote daemon over a fresh ssh process; closing it ends the process. */
export function sshConnect(t: SshTarget): Duplex {
  const args = sshArgs(t);
  const child = spawn('ssh', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (stderr.length > 8192) stderr = stderr.slice(-8192);
  });
  // The read side ends only once ssh has exited, so a failed ssh is reported with its stderr rather
  // than as a connection that hung up.
  const output = new PassThrough();
  child.stdout.pipe(output, { end: false });
  // Likewise a request written after ssh died must not fail with EPIPE first.
  const input = new PassThrough();
  input.pipe(child.stdin);
  child.stdin.on('error', () => undefined);
  const duplex = Duplex.from({ readable: output, writable: input }) as Duplex & Record<string, unknown>;
  // node:http calls these on its sockets; a pipe has nothing to tune.
  for (const m of ['setNoDelay', 'setKeepAlive', 'setTimeout', 'ref', 'unref']) duplex[m] = () => duplex;
  let exited = false;
  child.on('error', (err) => duplex.destroy(new Error(`cannot run ssh for ${t.host}: ${err.message}`)));
  child.on('exit', () => (exited = true));
  child.on('close', (code) => {
    if (code === 0 || code === null) output.end();
    else if (!duplex.destroyed) {
      duplex.destroy(
        new Error(
          `command [ssh ${args.join(' ')}] has exited with exit status ${code}, make sure the URL is valid, and berth (or Docker 18.09 or later) is installed on the remote host: stderr=${stderr.trim()}`,
        ),
      );
    }
  });
  duplex.on('close', () => {
    if (!exited) child.kill('SIGTERM');
  });
  return duplex;
}
