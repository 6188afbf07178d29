import { useEffect, useRef, useState } from 'preact/hooks';
import { call, json, ndjson } from './api.js';

/** A list from the API, fetched again on each event of the given types (and every 10 s). */
export function useLiveList<T>(path: string, types: string[], pick: (body: unknown) => T[] = (b) => b as T[]): { items: T[] | undefined; error: string; reload: () => void } {
  const [items, setItems] = useState<T[] | undefined>(undefined);
  const [error, setError] = useState('');
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    json<unknown>('GET', path).then(
      (r) => live && (setItems(pick(r)), setError('')),
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [path, tick]);
  useEffect(() => {
    const ctl = new AbortController();
    const filters = encodeURIComponent(JSON.stringify({ type: types }));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const bump = () => {
      clearTimeout(timer);
      timer = setTimeout(() => setTick((t) => t + 1), 150);
    };
    call('GET', `/events?filters=${filters}`)
      .then((res) => ndjson(res, bump, ctl.signal))
      .catch(() => undefined);
    const poll = setInterval(bump, 10_000);
    return () => {
      ctl.abort();
      clearInterval(poll);
      clearTimeout(timer);
    };
  }, [types.join(',')]);
  return { items, error, reload: () => setTick((t) => t + 1) };
}

export interface Usage {
  cpu: number[];
  mem: number[];
  memNow: number;
  memLimit: number;
}

interface StatsSample {
  cpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number; online_cpus?: number };
  memory_stats?: { usage?: number; limit?: number; stats?: { inactive_file?: number; total_inactive_file?: number; cache?: number } };
}

/** CPU % and memory of running containers, sampled every 2.5 s (the last 20 samples each). */
export function useUsage(ids: string[]): Record<string, Usage> {
  const [usage, setUsage] = useState<Record<string, Usage>>({});
  const last = useRef<Record<string, { cpu: number; sys: number }>>({});
  const key = ids.join(',');
  useEffect(() => {
    if (!ids.length) return;
    let live = true;
    const sample = async () => {
      const results = await Promise.all(ids.map((id) => json<StatsSample>('GET', `/containers/${id}/stats?stream=false`).then((s) => [id, s] as const, () => undefined)));
      if (!live) return;
      setUsage((prev) => {
        const next: Record<string, Usage> = {};
        for (const r of results) {
          if (!r) continue;
          const [id, s] = r;
          const cpuTotal = s.cpu_stats?.cpu_usage?.total_usage ?? 0;
          const sys = s.cpu_stats?.system_cpu_usage ?? 0;
          const before = last.current[id];
          last.current[id] = { cpu: cpuTotal, sys };
          const cpus = s.cpu_stats?.online_cpus ?? 1;
          const pct = before && sys > before.sys ? ((cpuTotal - before.cpu) / (sys - before.sys)) * cpus * 100 : 0;
          const m = s.memory_stats ?? {};
          const mem = Math.max(0, (m.usage ?? 0) - (m.stats?.inactive_file ?? m.stats?.total_inactive_file ?? m.stats?.cache ?? 0));
          const old = prev[id] ?? { cpu: [], mem: [], memNow: 0, memLimit: 0 };
          next[id] = { cpu: [...old.cpu, pct].slice(-20), mem: [...old.mem, mem].slice(-20), memNow: mem, memLimit: m.limit ?? 0 };
        }
        return next;
      });
    };
    void sample();
    const t = setInterval(() => void sample(), 2500);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, [key]);
  return usage;
}
