import { request, type IncomingMessage, type ServerResponse } from 'node:http';

// /api/* of the console is berthd's own API, reached through its unix socket: what the console
// shows and does is exactly what a Docker client would see and do.

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'cookie', 'host', 'origin', 'referer', 'x-csrf-token']);

export function proxyToApi(req: IncomingMessage, res: ServerResponse, socketPath: string, path: string): Promise<void> {
  return new Promise((resolve) => {
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = v;
    const upstream = request({ socketPath, path, method: req.method, headers }, (up) => {
      const out: Record<string, string | string[]> = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };
      for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
      res.writeHead(up.statusCode ?? 502, out);
      // Streams (logs -f, stats, events, pulls) flow as they come.
      res.flushHeaders();
      up.pipe(res);
      up.on('end', resolve);
      up.on('error', () => {
        res.destroy();
        resolve();
      });
    });
    upstream.on('error', (err) => {
      if (!res.headersSent) {
        res.writeHead(502, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ message: `berthd's API did not answer: ${err.message}` }));
      } else res.destroy();
      resolve();
    });
    // A browser that goes away (a closed log page) ends the API stream too.
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
}

/** One JSON call to the API socket, for the console's own server-side steps. */
export function apiCall<T>(socketPath: string, method: string, path: string, body?: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      { socketPath, path, method, headers: data ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } : {} },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => {
          const parsed = text ? (JSON.parse(text) as T & { message?: string }) : (undefined as T);
          if ((res.statusCode ?? 500) >= 400) reject(new Error((parsed as { message?: string } | undefined)?.message ?? `status ${res.statusCode}`));
          else resolve(parsed);
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}
