import { connect } from 'node:net';
import { Agent, request } from 'node:http';

/**
 * One raw `GET /` over TCP; resolves with the status code of the reply, or 0 if the connection failed,
 * closed early or took longer than `limitMs` in all.
 */
export function rawGetStatus(host: string, port: number, limitMs = 2000): Promise<number> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    let head = '';
    const done = (status: number): void => {
      sock.destroy();
      resolve(status);
    };
    const timer = setTimeout(() => done(0), limitMs);
    sock.once('close', () => clearTimeout(timer));
    sock.on('connect', () => sock.write(`GET / HTTP/1.0\r\nHost: ${host}\r\n\r\n`));
    sock.on('data', (b: Buffer) => {
      head += b.toString('latin1');
      const line = head.indexOf('\r\n');
      if (line >= 0) done(Number(head.slice(0, line).match(/^HTTP\/1\.\d (\d{3})/)?.[1] ?? 0));
    });
    sock.on('error', () => done(0));
    sock.on('end', () => done(0));
  });
}

// A SYN sent before the container's address answers is lost, and TCP would resend it only after 1 s:
// each attempt is cut short so the loop measures when the engine is ready, not TCP's retransmit timer.
const ATTEMPT_MS = 200;

/** Polls host:port in a tight loop until a 200 arrives; resolves with the seconds since `start`. */
export async function waitForHttp200(host: string, port: number, start: bigint, timeoutMs: number): Promise<number> {
  const deadline = start + BigInt(timeoutMs) * 1_000_000n;
  for (;;) {
    if ((await rawGetStatus(host, port, ATTEMPT_MS)) === 200) return Number(process.hrtime.bigint() - start) / 1e9;
    if (process.hrtime.bigint() > deadline) throw new Error(`no HTTP 200 from ${host}:${port} within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** Timed GET requests to a daemon's unix socket, on one kept-alive connection or a new one each time. */
export class SocketHttp {
  private readonly agent: Agent;

  constructor(
    readonly socketPath: string,
    keepAlive: boolean,
  ) {
    this.agent = new Agent({ keepAlive, maxSockets: 1 });
  }

  /** Seconds for one GET round trip (status line to end of body); rejects unless the answer is 200. */
  roundTrip(path: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const start = process.hrtime.bigint();
      const req = request({ socketPath: this.socketPath, path, agent: this.agent, headers: { Host: 'docker' } }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`GET ${path} answered ${res.statusCode}`));
          else resolve(Number(process.hrtime.bigint() - start) / 1e9);
        });
      });
      req.on('error', reject);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** True when a Docker-compatible daemon answers GET /_ping on the socket. */
export function pingSocket(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}
