import { Agent, request } from 'node:http';
import { percentile } from './stats.js';

// Many concurrent API clients against one daemon socket, each on its own kept-alive connection,
// looping over a request mix until a deadline. Reports throughput and latency percentiles.

export interface LoadOptions {
  socketPath: string;
  clients: number;
  durationMs: number;
  /** Paths the clients cycle through; each client starts at a different place in the list. */
  paths: readonly string[];
}

export interface LoadResult {
  requests: number;
  errors: number;
  /** Requests answered 200 per second of the run. */
  throughput: number;
  /** Seconds. */
  p50: number;
  p99: number;
  /** The first few non-200 answers or connection errors, for the report's note. */
  errorSamples: string[];
}

function get(agent: Agent, socketPath: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, agent, headers: { Host: 'docker' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The summary of a run from its raw latencies (seconds) and counts. */
export function summarizeLoad(latencies: readonly number[], errors: number, seconds: number, errorSamples: string[] = []): LoadResult {
  return {
    requests: latencies.length + errors,
    errors,
    throughput: seconds > 0 ? latencies.length / seconds : 0,
    p50: percentile(latencies, 50) ?? 0,
    p99: percentile(latencies, 99) ?? 0,
    errorSamples,
  };
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const errorSamples: string[] = [];
  let errors = 0;
  const start = performance.now();
  const deadline = start + o.durationMs;
  const client = async (i: number): Promise<void> => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let k = i; performance.now() < deadline; k++) {
        const path = o.paths[k % o.paths.length]!;
        const t0 = performance.now();
        try {
          const status = await get(agent, o.socketPath, path);
          if (status === 200) latencies.push((performance.now() - t0) / 1000);
          else {
            errors++;
            if (errorSamples.length < 3) errorSamples.push(`${path}: ${status}`);
          }
        } catch (err) {
          errors++;
          if (errorSamples.length < 3) errorSamples.push(`${path}: ${(err as Error).message}`);
        }
      }
    } finally {
      agent.destroy();
    }
  };
  await Promise.all(Array.from({ length: o.clients }, (_, i) => client(i)));
  return summarizeLoad(latencies, errors, (performance.now() - start) / 1000, errorSamples);
}
