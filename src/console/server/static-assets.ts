import { existsSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize } from 'node:path';

// The built app (dist/console): index.html for every page path, the bundles precompressed.

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};

export function serveAsset(dir: string, path: string, req: IncomingMessage, res: ServerResponse, headers: Record<string, string>): boolean {
  const rel = normalize(path === '/' ? '/index.html' : path).replace(/^(\.\.[/\\])+/, '');
  let file = join(dir, rel);
  if (!file.startsWith(dir) || !existsSync(file) || !statSync(file).isFile()) {
    // The app routes by hash; any other path without an extension is the app too.
    if (extname(rel)) return false;
    file = join(dir, 'index.html');
    if (!existsSync(file)) return false;
  }
  const gz = `${file}.gz`;
  const wantsGzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  const useGz = wantsGzip && existsSync(gz);
  const body = readFileSync(useGz ? gz : file);
  res.writeHead(200, {
    ...headers,
    'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
    'Content-Length': body.length,
    // Chunks carry a hash in their names; the entry files must be fresh after an upgrade.
    'Cache-Control': /-[A-Z0-9]{8}\.js$/.test(file) ? 'public, max-age=31536000, immutable' : 'no-cache',
    ...(useGz ? { 'Content-Encoding': 'gzip', Vary: 'Accept-Encoding' } : {}),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}
