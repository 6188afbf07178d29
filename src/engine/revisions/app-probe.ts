import { connect } from 'node:net';
import { request } from 'node:http';
import { InvalidArgumentError } from '../../common/errors.js';

/** `--probe http://:PORT/PATH` or `tcp://:PORT`: checked by berthd against the container's address. */
export interface AppProbe {
  kind: 'http' | 'tcp';
  port: number;
  path: string;
  text: string;
}

export function parseProbe(text: string): AppProbe {
  const m = /^(http|tcp):\/\/[^:/]*:(\d{1,5})(\/.*)?$/.exec(text);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) {
    throw new InvalidArgumentError(`invalid probe "${text}": use http://:PORT/PATH or tcp://:PORT`);
  }
  return { kind: m[1] as 'http' | 'tcp', port: Number(m[2]), path: m[3] ?? '/', text };
}

/** Resolves when the probe passes; rejects with what went wrong. An HTTP status under 400 passes. */
export function runProbe(p: AppProbe, address: string, timeoutMs = 2000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (p.kind === 'tcp') {
      const s = connect({ host: address, port: p.port, timeout: timeoutMs });
      s.once('connect', () => {
        s.destroy();
        resolve();
      });
      s.once('timeout', () => {
        s.destroy();
        reject(new Error(`tcp ${address}:${p.port}: timed out`));
      });
      s.once('error', (err) => reject(new Error(`tcp ${address}:${p.port}: ${err.message}`)));
      return;
    }
    const req = request({ host: address, port: p.port, path: p.path, method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      if (code > 0 && code < 400) resolve();
      else reject(new Error(`GET http://${address}:${p.port}${p.path}: status ${code}`));
    });
    req.once('timeout', () => req.destroy(new Error('timed out')));
    req.once('error', (err) => reject(new Error(`GET http://${address}:${p.port}${p.path}: ${err.message}`)));
    req.end();
  });
}
