import { fileURLToPath } from 'node:url';
import type { ConsoleBackend } from '../api/routes/berth-console.js';
import type { Logger } from '../common/logger.js';
import { ConsoleServer } from '../console/server/console-server.js';
import { ConsoleSessions } from '../console/server/sessions.js';
import type { DaemonConfig } from './config.js';

export interface ConsoleWiring {
  backend: ConsoleBackend;
  start(): Promise<void>;
  close(): Promise<void>;
}

/** The web console when daemon.json asks for it: its sessions, its listener, its link minter. */
export function wireConsole(config: DaemonConfig, logger: Logger): ConsoleWiring {
  const c = config.console;
  const socket = config.hosts.find((h) => h.startsWith('unix://'));
  if (!c) return { backend: {}, start: async () => undefined, close: async () => undefined };
  if (!socket) throw new Error('the console needs berthd to listen on a unix socket ("hosts")');
  const sessions = new ConsoleSessions();
  const server = new ConsoleServer({
    listen: c.listen,
    tls: c.tlscert && c.tlskey ? { cert: c.tlscert, key: c.tlskey } : undefined,
    apiSocket: new URL(socket).pathname,
    // Beside the bundle: dist/console in a checkout, /usr/lib/berth/console in the package.
    assetsDir: fileURLToPath(new URL('./console/', import.meta.url)),
    sessions,
    logger,
  });
  return {
    backend: {
      mintLink: (role) => {
        const { token, expires } = sessions.mintToken(role);
        return { Token: token, Link: `${server.origin()}/login?token=${token}`, Expires: expires.toISOString() };
      },
    },
    start: () => server.start(),
    close: () => server.close(),
  };
}
