import { Agent, request } from 'node:http';

// What `docker stats --no-stream` asks of a daemon, without the CLI's own 0.5 s render tick: one
// stream=false stats request per container, all at once, each on its own connection as the CLI
// opens them. Resolves with the seconds until the last answer.

function statsOnce(agent: Agent, socketPath: string, id: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path: `/containers/${id}/stats?stream=false`, agent, headers: { Host: 'docker' } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`stats ${id}: HTTP ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export async function statsBurst(socketPath: string, ids: readonly string[]): Promise<number> {
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
  const start = process.hrtime.bigint();
  try {
    await Promise.all(ids.map((id) => statsOnce(agent, socketPath, id)));
  } finally {
    agent.destroy();
  }
  return Number(process.hrtime.bigint() - start) / 1e9;
}
