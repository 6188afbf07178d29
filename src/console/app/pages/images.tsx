import { useState } from 'preact/hooks';
import { call, json, ndjson, shortId, type SessionInfo } from '../api.js';
import { ListTable, RemoveButton, type Column } from '../list-table.js';
import { useLiveList } from '../live.js';
import { formatBytes } from '../sparkline.js';

interface ImageSummary {
  Id: string;
  RepoTags: string[] | null;
  Size: number;
  Created: number;
}

interface LayerProgress {
  status: string;
  current?: number;
  total?: number;
}

export function ImagesPage({ session }: { session: SessionInfo }) {
  const { items, error, reload } = useLiveList<ImageSummary>('/images/json', ['image']);
  const [ref, setRef] = useState('');
  const [layers, setLayers] = useState<Record<string, LayerProgress>>({});
  const [status, setStatus] = useState('');
  const [actionError, setActionError] = useState('');
  const admin = session.role === 'admin';
  const pull = async (e: Event) => {
    e.preventDefault();
    setLayers({});
    setStatus('');
    setActionError('');
    const [, repo, tag] = /^(.*?)(?::([\w][\w.-]*))?$/.exec(ref)!;
    try {
      const res = await call('POST', `/images/create?fromImage=${encodeURIComponent(repo!)}&tag=${encodeURIComponent(tag ?? 'latest')}`);
      await ndjson(res, (m) => {
        if (m.error) throw new Error(String(m.error));
        const d = m.progressDetail as { current?: number; total?: number } | undefined;
        if (m.id && typeof m.id === 'string' && m.id !== (tag ?? 'latest')) {
          setLayers((l) => ({ ...l, [m.id as string]: { status: String(m.status), current: d?.current, total: d?.total } }));
        } else setStatus(String(m.status ?? ''));
      });
      reload();
    } catch (err) {
      setActionError((err as Error).message);
    }
  };
  const remove = async (id: string) => {
    setActionError('');
    try {
      await call('DELETE', `/images/${id}`);
      reload();
    } catch (err) {
      setActionError((err as Error).message);
    }
  };
  const prune = async () => {
    const r = await json<{ SpaceReclaimed: number }>('POST', `/images/prune?filters=${encodeURIComponent(JSON.stringify({ dangling: ['false'] }))}`).catch((e: Error) => (setActionError(e.message), undefined));
    if (r) setStatus(`Pruned: ${formatBytes(r.SpaceReclaimed)} reclaimed`);
    reload();
  };
  const columns: Column<ImageSummary>[] = [
    { label: 'Tags', cell: (i) => (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>').join(', ') || '<none>' },
    { label: 'ID', cell: (i) => <code>{shortId(i.Id)}</code> },
    { label: 'Size', cell: (i) => formatBytes(i.Size) },
    { label: 'Created', cell: (i) => new Date(i.Created * 1000).toLocaleString() },
    { label: '', cell: (i) => <RemoveButton show={admin} onRemove={() => void remove(i.Id)} /> },
  ];
  return (
    <section>
      <div class="bar">
        <h1>Images</h1>
        {admin && (
          <form class="inline" onSubmit={(e) => void pull(e)}>
            <input placeholder="Pull an image: nginx:latest" value={ref} onInput={(e) => setRef((e.target as HTMLInputElement).value)} required />
            <button>Pull</button>
          </form>
        )}
        {admin && (
          <button class="secondary" onClick={() => void prune()}>
            Prune unused
          </button>
        )}
      </div>
      {Object.keys(layers).length > 0 && (
        <ul class="layers" data-testid="pull-progress">
          {Object.entries(layers).map(([id, l]) => (
            <li>
              <code>{id}</code> {l.status}
              {l.total ? <progress max={l.total} value={l.current ?? 0} /> : null}
            </li>
          ))}
        </ul>
      )}
      {status && <p class="muted">{status}</p>}
      {(error || actionError) && <p class="error">{error || actionError}</p>}
      <ListTable columns={columns} rows={items ?? []} />
    </section>
  );
}
