import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { silentLogger } from '../../common/logger.js';
import type { Router } from '../router.js';
import { createApiServer } from '../server.js';

/**
 * For a test file: serves the router that `build` returns on a unix socket in a scratch directory
 * from `before` to `after`. Returns the socket's path once the server listens.
 */
export function serveRouterForTests(prefix: string, build: () => Router): () => string {
  let dir = '';
  let server: Server | undefined;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    server = createApiServer(build(), silentLogger);
    await new Promise<void>((r) => server!.listen(join(dir, 'api.sock'), r));
  });
  after(() => {
    server?.closeAllConnections();
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return () => join(dir, 'api.sock');
}
