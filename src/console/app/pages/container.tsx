import { useEffect, useRef, useState } from 'preact/hooks';
import { call, json, ndjson, readLogs, type SessionInfo } from '../api.js';
import { health } from './containers.js';
import { ListTable, type Column } from '../list-table.js';
import { Terminal } from '../terminal.js';

interface Inspect {
  Id: string;
  Name: string;
  Config: { Image: string; Tty: boolean; Labels: Record<string, string> | null };
  State: { Status: string; Running: boolean; Health?: { Status: string } };
}

interface Revision {
  Revision: number;
  Image: string;
  ImageID?: string;
  State: string;
  Reason?: string;
  Logs?: string;
  Created?: string;
}

function useInspect(id: string) {
  const [c, setC] = useState<Inspect | undefined>();
  const [error, setError] = useState('');
  const [tick, setTick] = useState(0);
  useEffect(() => {
    json<Inspect>('GET', `/containers/${encodeURIComponent(id)}/json`).then(
      (r) => (setC(r), setError('')),
      (e: Error) => setError(e.message),
    );
  }, [id, tick]);
  useEffect(() => {
    const ctl = new AbortController();
    const filters = encodeURIComponent(JSON.stringify({ type: ['container'], container: [id] }));
    call('GET', `/events?filters=${filters}`)
      .then((res) => ndjson(res, () => setTick((t) => t + 1), ctl.signal))
      .catch(() => undefined);
    return () => ctl.abort();
  }, [id]);
  return { c, error, reload: () => setTick((t) => t + 1) };
}

function Logs({ id, tty }: { id: string; tty: boolean }) {
  const [lines, setLines] = useState<{ text: string; err: boolean }[]>([]);
  const [follow, setFollow] = useState(true);
  const [search, setSearch] = useState('');
  const [since, setSince] = useState('');
  const box = useRef<HTMLPreElement>(null);
  useEffect(() => {
    const ctl = new AbortController();
    setLines([]);
    const q = new URLSearchParams({ stdout: '1', stderr: '1', tail: since ? 'all' : '500', follow: follow ? '1' : '0' });
    if (since) q.set('since', String(Math.floor(Date.now() / 1000) - Number(since)));
    let partial = '';
    call('GET', `/containers/${encodeURIComponent(id)}/logs?${q}`)
      .then((res) =>
        readLogs(
          res,
          tty,
          (text, stream) => {
            const parts = (partial + text).split('\n');
            partial = parts.pop() ?? '';
            if (parts.length) setLines((old) => [...old, ...parts.map((t) => ({ text: t.replace(/\r$/, ''), err: stream === 'stderr' }))].slice(-5000));
          },
          ctl.signal,
        ),
      )
      .catch(() => undefined);
    return () => ctl.abort();
  }, [id, follow, since]);
  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines, follow]);
  const shown = search ? lines.filter((l) => l.text.toLowerCase().includes(search.toLowerCase())) : lines;
  return (
    <div>
      <div class="bar">
        <label>
          <input type="checkbox" checked={follow} onChange={(e) => setFollow((e.target as HTMLInputElement).checked)} /> follow
        </label>
        <input type="search" placeholder="Search the log" value={search} onInput={(e) => setSearch((e.target as HTMLInputElement).value)} />
        <select value={since} onChange={(e) => setSince((e.target as HTMLSelectElement).value)} aria-label="Since">
          <option value="">last 500 lines</option>
          <option value="300">last 5 minutes</option>
          <option value="3600">last hour</option>
          <option value="86400">last day</option>
        </select>
      </div>
      <pre class="log" ref={box} data-testid="log">
        {shown.map((l) => (
          <div class={l.err ? 'stderr' : ''}>{l.text}</div>
        ))}
      </pre>
    </div>
  );
}

function Revisions({ id, admin, onDone }: { id: string; admin: boolean; onDone: () => void }) {
  const [revs, setRevs] = useState<Revision[] | null | undefined>(undefined);
  const [open, setOpen] = useState<number | undefined>();
  const [image, setImage] = useState('');
  const [progress, setProgress] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const load = () =>
    json<Revision[]>('GET', `/berth/v1/containers/${encodeURIComponent(id)}/revisions`).then(
      (r) => setRevs([...r].sort((a, b) => b.Revision - a.Revision)),
      () => setRevs(null),
    );
  useEffect(() => void load(), [id]);
  const run = async (verb: 'upgrade' | 'rollback', query: Record<string, string>) => {
    setBusy(true);
    setProgress([]);
    try {
      const res = await call('POST', `/berth/v1/containers/${encodeURIComponent(id)}/${verb}?${new URLSearchParams(query)}`);
      await ndjson(res, (m) => {
        const text = String(m.error ?? m.message ?? m.status ?? JSON.stringify(m));
        setProgress((p) => [...p, text]);
      });
    } catch (e) {
      setProgress((p) => [...p, (e as Error).message]);
    }
    setBusy(false);
    void load();
    onDone();
  };
  const columns: Column<Revision>[] = [
    { label: 'Revision', cell: (r) => r.Revision },
    { label: 'Image', cell: (r) => r.Image },
    { label: 'State', cell: (r) => <span class={`badge ${r.State.replace(/ /g, '_')}`}>{r.State}</span> },
    {
      label: 'Reason',
      cell: (r) => (
        <>
          {r.Reason ?? ''}
          {r.Logs && (
            <button class="link reason-logs" onClick={() => setOpen(open === r.Revision ? undefined : r.Revision)}>
              {open === r.Revision ? 'hide logs' : 'logs'}
            </button>
          )}
        </>
      ),
    },
  ];
  if (revs === undefined) return <p class="muted">Loading…</p>;
  if (revs === null) return <p class="muted">This berthd keeps no revisions.</p>;
  return (
    <div>
      {admin && (
        <form
          class="bar"
          onSubmit={(e) => {
            e.preventDefault();
            void run('upgrade', image ? { image } : {});
          }}
        >
          <input placeholder="Image (empty: the same reference, pulled again)" value={image} onInput={(e) => setImage((e.target as HTMLInputElement).value)} />
          <button disabled={busy}>Upgrade</button>
          <button type="button" disabled={busy} onClick={() => void run('rollback', {})}>
            Roll back
          </button>
        </form>
      )}
      {progress.length > 0 && (
        <pre class="log short" data-testid="progress">
          {progress.join('\n')}
        </pre>
      )}
      <ListTable
        columns={columns}
        rows={revs}
        rowAttrs={(r) => ({ 'data-revision': r.Revision })}
        detail={(r) => open === r.Revision && <pre class="log short">{r.Logs}</pre>}
      />
    </div>
  );
}

const TABS = ['logs', 'terminal', 'inspect', 'revisions'] as const;

export function ContainerPage({ id, session }: { id: string; session: SessionInfo }) {
  const { c, error, reload } = useInspect(id);
  const [tab, setTab] = useState<(typeof TABS)[number]>('logs');
  const [actionError, setActionError] = useState('');
  const [raw, setRaw] = useState('');
  const admin = session.role === 'admin';
  useEffect(() => {
    if (tab === 'inspect') json('GET', `/containers/${encodeURIComponent(id)}/json`).then((r) => setRaw(JSON.stringify(r, null, 2)));
  }, [tab, id]);
  if (error) return <p class="error">{error}</p>;
  if (!c) return <p class="muted">Loading…</p>;
  const act = async (path: string, method = 'POST') => {
    setActionError('');
    try {
      await call(method, path);
      if (method === 'DELETE') location.hash = '#/';
      else reload();
    } catch (e) {
      setActionError((e as Error).message);
    }
  };
  const name = c.Name.replace(/^\//, '');
  const base = `/containers/${encodeURIComponent(c.Id)}`;
  const h = c.State.Health?.Status ?? health('');
  return (
    <section>
      <div class="bar">
        <h1>{name}</h1>
        <span class={`badge ${c.State.Status}`} data-testid="state">
          {c.State.Status}
        </span>
        {h && <span class={`badge ${h}`}>{h}</span>}
        <span class="muted">{c.Config.Image}</span>
      </div>
      {admin && (
        <div class="actions">
          <button onClick={() => void act(`${base}/start`)} disabled={c.State.Running}>
            Start
          </button>
          <button onClick={() => void act(`${base}/stop`)} disabled={!c.State.Running}>
            Stop
          </button>
          <button onClick={() => void act(`${base}/restart`)}>Restart</button>
          <button class="danger" onClick={() => confirm(`Remove ${name}?`) && void act(`${base}?force=1`, 'DELETE')}>
            Remove
          </button>
          <a class="button" href={`/api/berth/v1/containers/${encodeURIComponent(c.Id)}/backup`} download={`${name}.berth.tar.zst`}>
            Download backup
          </a>
        </div>
      )}
      {actionError && <p class="error">{actionError}</p>}
      <nav class="tabs">
        {TABS.filter((t) => admin || t !== 'terminal').map((t) => (
          <button class={t === tab ? 'active' : ''} onClick={() => setTab(t)}>
            {t}
          </button>
        ))}
      </nav>
      {tab === 'logs' && <Logs id={c.Id} tty={c.Config.Tty} />}
      {tab === 'terminal' && (c.State.Running ? <Terminal id={c.Id} /> : <p class="muted">Start the container to open a terminal.</p>)}
      {tab === 'inspect' && <pre class="log">{raw}</pre>}
      {tab === 'revisions' && <Revisions id={c.Id} admin={admin} onDone={reload} />}
    </section>
  );
}
