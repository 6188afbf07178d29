import { useState } from 'preact/hooks';
import { nameOf, shortId, type ContainerSummary, type SessionInfo } from '../api.js';
import { ListTable, type Column } from '../list-table.js';
import { useLiveList, useUsage, type Usage } from '../live.js';
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

function CpuUsage({ u }: { u: Usage | undefined }) {
  if (!u) return null;
  return (
    <>
      <Sparkline values={u.cpu} max={100} label="CPU" /> <span class="small">{(u.cpu[u.cpu.length - 1] ?? 0).toFixed(1)}%</span>
    </>
  );
}

function MemoryUsage({ u }: { u: Usage | undefined }) {
  if (!u) return null;
  return (
    <>
      <Sparkline values={u.mem} label="memory" /> <span class="small">{formatBytes(u.memNow)}</span>
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
  const columns: Column<ContainerSummary>[] = [
    {
      label: 'Name',
      cell: (c) => (
        <>
          <a href={`#/containers/${encodeURIComponent(nameOf(c))}`}>{nameOf(c)}</a>
          <div class="muted small">{shortId(c.Id)}</div>
        </>
      ),
    },
    {
      label: 'Image',
      cell: (c) => {
        const revision = c.Labels?.['berth.revision'];
        return (
          <>
            {c.Image}
            {revision && <span class="muted small"> rev {revision}</span>}
          </>
        );
      },
    },
    {
      label: 'State',
      cell: (c) => {
        const h = health(c.Status);
        return (
          <>
            <span class={`badge ${c.State}`}>{c.State}</span>
            {h && <span class={`badge ${h}`}>{h}</span>}
            <div class="muted small">{c.Status}</div>
          </>
        );
      },
    },
    { label: 'Ports', cell: (c) => <PortLinks c={c} /> },
    { label: 'CPU', cell: (c) => <CpuUsage u={usage[c.Id]} /> },
    { label: 'Memory', cell: (c) => <MemoryUsage u={usage[c.Id]} /> },
  ];
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
      <ListTable
        columns={columns}
        rows={items && list}
        rowAttrs={(c) => ({ 'data-name': nameOf(c) })}
        rowKey={(c) => c.Id}
        empty={`No containers${filter || state ? ' match' : ''}.`}
      />
    </section>
  );
}
