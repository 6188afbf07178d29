import { useState } from 'preact/hooks';
import { nameOf, shortId, type ContainerSummary, type SessionInfo } from '../api.js';
import { useLiveList, useUsage } from '../live.js';
import { formatBytes, Sparkline } from '../sparkline.js';

export function health(status: string): string {
  const m = /\((healthy|unhealthy|health: starting)\)/.exec(status);
  return m ? m[1]!.replace('health: ', '') : '';
}

function PortLinks({ c }: { c: ContainerSummary }) {
  const seen = new Set<string>();
  return (
    <>
      {c.Ports.filter((p) => p.PublicPort && !seen.has(`${p.PublicPort}/${p.Type}`) && seen.add(`${p.PublicPort}/${p.Type}`)).map((p) =>
        p.Type === 'tcp' ? (
          <a class="port" href={`http://${location.hostname}:${p.PublicPort}/`} target="_blank" rel="noreferrer">
            {p.PublicPort}→{p.PrivatePort}
          </a>
        ) : (
          <span class="port">
            {p.PublicPort}→{p.PrivatePort}/{p.Type}
          </span>
        ),
      )}
    </>
  );
}

export function ContainersPage(_: { session: SessionInfo }) {
  const { items, error } = useLiveList<ContainerSummary>('/containers/json?all=1', ['container']);
  const [filter, setFilter] = useState('');
  const [state, setState] = useState('');
  const list = (items ?? []).filter((c) => {
    const text = `${nameOf(c)} ${c.Image} ${c.Id}`.toLowerCase();
    return text.includes(filter.toLowerCase()) && (!state || c.State === state);
  });
  const running = list.filter((c) => c.State === 'running').slice(0, 30);
  const usage = useUsage(running.map((c) => c.Id));
  return (
    <section>
      <div class="bar">
        <h1>Containers</h1>
        <input type="search" placeholder="Filter by name or image" value={filter} onInput={(e) => setFilter((e.target as HTMLInputElement).value)} />
        <select value={state} onChange={(e) => setState((e.target as HTMLSelectElement).value)} aria-label="State">
          <option value="">all states</option>
          {['running', 'exited', 'created', 'paused', 'restarting'].map((s) => (
            <option value={s}>{s}</option>
          ))}
        </select>
      </div>
      {error && <p class="error">{error}</p>}
      {items === undefined ? (
        <p class="muted">Loading…</p>
      ) : (
        <table class="list">
          <thead>
            <tr>
              <th>Name</th>
              <th>Image</th>
              <th>State</th>
              <th>Ports</th>
              <th>CPU</th>
              <th>Memory</th>
            </tr>
          </thead>
          <tbody>
            {list.map((c) => {
              const u = usage[c.Id];
              const h = health(c.Status);
              const revision = c.Labels?.['berth.revision'];
              return (
                <tr data-name={nameOf(c)} key={c.Id}>
                  <td data-label="Name">
                    <a href={`#/containers/${encodeURIComponent(nameOf(c))}`}>{nameOf(c)}</a>
                    <div class="muted small">{shortId(c.Id)}</div>
                  </td>
                  <td data-label="Image">
                    {c.Image}
                    {revision && <span class="muted small"> rev {revision}</span>}
                  </td>
                  <td data-label="State">
                    <span class={`badge ${c.State}`}>{c.State}</span>
                    {h && <span class={`badge ${h}`}>{h}</span>}
                    <div class="muted small">{c.Status}</div>
                  </td>
                  <td data-label="Ports">
                    <PortLinks c={c} />
                  </td>
                  <td data-label="CPU">
                    {u && (
                      <>
                        <Sparkline values={u.cpu} max={100} label="CPU" /> <span class="small">{(u.cpu[u.cpu.length - 1] ?? 0).toFixed(1)}%</span>
                      </>
                    )}
                  </td>
                  <td data-label="Memory">
                    {u && (
                      <>
                        <Sparkline values={u.mem} label="memory" /> <span class="small">{formatBytes(u.memNow)}</span>
                      </>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {items && !list.length && <p class="muted">No containers{filter || state ? ' match' : ''}.</p>}
    </section>
  );
}
