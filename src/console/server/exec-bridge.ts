import { request } from 'node:http';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { Logger } from '../../common/logger.js';
import { apiCall } from './api-proxy.js';

// The terminal of the console: a TTY exec in the container, its hijacked stream joined to the
// browser's WebSocket. Browser → server: text frames, "0"+input or "1"+{"cols","rows"} to resize.
// Server → browser: the terminal's bytes as binary frames.

export function bridgeExec(ws: WebSocket, socketPath: string, container: string, cmd: string, size: { cols: number; rows: number }, logger: Logger): void {
  let stream: Socket | undefined;
  let execId: string | undefined;
  const fail = (err: Error) => {
    if (ws.readyState === ws.OPEN) {
      ws.send(Buffer.from(`\r\n${err.message}\r\n`));
      ws.close(1011, 'exec failed');
    }
  };
  const resize = (cols: number, rows: number) => {
    if (execId) apiCall(socketPath, 'POST', `/exec/${execId}/resize?h=${rows}&w=${cols}`).catch(() => undefined);
  };
  ws.on('message', (data, isBinary) => {
    const text = isBinary ? Buffer.from(data as Buffer).toString('utf8') : String(data);
    if (text.startsWith('0')) stream?.write(text.slice(1));
    else if (text.startsWith('1')) {
      try {
        const s = JSON.parse(text.slice(1)) as { cols: number; rows: number };
        if (Number.isInteger(s.cols) && Number.isInteger(s.rows)) resize(s.cols, s.rows);
      } catch {
        // not a size: ignored
      }
    }
  });
  ws.on('close', () => stream?.destroy());

  apiCall<{ Id: string }>(socketPath, 'POST', `/containers/${encodeURIComponent(container)}/exec`, {
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: true,
    Cmd: [cmd],
    Env: ['TERM=xterm-256color'],
    ConsoleSize: [size.rows, size.cols],
  })
    .then(({ Id }) => {
      execId = Id;
      const body = JSON.stringify({ Detach: false, Tty: true, ConsoleSize: [size.rows, size.cols] });
      const req = request({
        socketPath,
        method: 'POST',
        path: `/exec/${Id}/start`,
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), Connection: 'Upgrade', Upgrade: 'tcp' },
      });
      req.on('upgrade', (_res, socket: Socket, head: Buffer) => {
        stream = socket;
        if (ws.readyState !== ws.OPEN) return socket.destroy();
        if (head.length) ws.send(head);
        socket.on('data', (d: Buffer) => ws.send(d));
        socket.on('close', () => ws.readyState === ws.OPEN && ws.close(1000, 'exited'));
        socket.on('error', () => ws.close(1011));
        resize(size.cols, size.rows);
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => fail(new Error(text || `exec start answered ${res.statusCode}`)));
      });
      req.on('error', fail);
      req.end(body);
    })
    .catch((err: Error) => {
      logger.debug({ err, container }, 'console exec failed');
      fail(err);
    });
}
