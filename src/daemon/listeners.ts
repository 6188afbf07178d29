import { chmodSync, chownSync, mkdirSync, readFileSync, unlinkSync } from 'node:fs';
import type { Server } from 'node:http';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import { ConflictError, InvalidArgumentError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';

function groupId(name: string): number | undefined {
  try {
    const line = readFileSync('/etc/group', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${name}:`));
    return line ? Number(line.split(':')[2]) : undefined;
  } catch {
    return undefined;
  }
}

function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Listens on each `hosts` entry; unix sockets get mode 0660 and the configured group. */
export async function listenAll(makeServer: () => Server, hosts: string[], group: string, logger: Logger): Promise<Server[]> {
  const servers: Server[] = [];
  for (const host of hosts) {
    const server = makeServer();
    const url = new URL(host);
    if (url.protocol === 'unix:') {
      const path = url.pathname;
      mkdirSync(dirname(path), { recursive: true });
      if (await socketAnswers(path)) throw new ConflictError(`another daemon is already listening on ${path}`);
      try {
        unlinkSync(path);
      } catch {
        /* no stale socket */
      }
      await new Promise<void>((resolve, reject) => server.once('error', reject).listen(path, resolve));
      chmodSync(path, 0o660);
      const gid = groupId(group);
      if (gid !== undefined) chownSync(path, 0, gid);
    } else if (url.protocol === 'tcp:') {
      const port = Number(url.port || 2375);
      await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, url.hostname || '0.0.0.0', resolve));
    } else {
      throw new InvalidArgumentError(`unsupported host ${host}`);
    }
    logger.info({ host }, 'API listening');
    servers.push(server);
  }
  return servers;
}
