import { useState } from 'preact/hooks';
import { call, json, type SessionInfo } from '../api.js';
import { ListTable, RemoveButton, type Column } from '../list-table.js';
import { useLiveList } from '../live.js';

interface Volume {
  Name: string;
  Driver: string;
  Mountpoint: string;
  CreatedAt?: string;
}
interface Network {
  Id: string;
  Name: string;
  Driver: string;
  IPAM?: { Config?: { Subnet?: string }[] };
}

function useRemove(reload: () => void) {
  const [error, setError] = useState('');
  const remove = async (path: string) => {
    setError('');
    try {
      await call('DELETE', path);
      reload();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return { error, remove };
}

export function VolumesPage({ session }: { session: SessionInfo }) {
  const { items, reload } = useLiveList<Volume>('/volumes', ['volume'], (b) => (b as { Volumes?: Volume[] }).Volumes ?? []);
  const { error, remove } = useRemove(reload);
  const columns: Column<Volume>[] = [
    { label: 'Name', cell: (v) => v.Name },
    { label: 'Driver', cell: (v) => v.Driver },
    { label: 'Mount point', cell: (v) => <code>{v.Mountpoint}</code> },
    { label: '', cell: (v) => <RemoveButton show={session.role === 'admin'} onRemove={() => void remove(`/volumes/${encodeURIComponent(v.Name)}`)} /> },
  ];
  return (
    <section>
      <h1>Volumes</h1>
      {error && <p class="error">{error}</p>}
      <ListTable columns={columns} rows={items ?? []} />
    </section>
  );
}

export function NetworksPage({ session }: { session: SessionInfo }) {
  const { items, reload } = useLiveList<Network>('/networks', ['network']);
  const { error, remove } = useRemove(reload);
  const [name, setName] = useState('');
  const columns: Column<Network>[] = [
    { label: 'Name', cell: (n) => n.Name },
    { label: 'Driver', cell: (n) => n.Driver },
    { label: 'Subnet', cell: (n) => (n.IPAM?.Config ?? []).map((c) => c.Subnet).join(', ') },
    {
      label: '',
      cell: (n) => <RemoveButton show={session.role === 'admin' && !['bridge', 'host', 'none'].includes(n.Name)} onRemove={() => void remove(`/networks/${n.Id}`)} />,
    },
  ];
  const create = async (e: Event) => {
    e.preventDefault();
    await json('POST', '/networks/create', { Name: name }).then(reload, () => undefined);
    setName('');
  };
  return (
    <section>
      <div class="bar">
        <h1>Networks</h1>
        {session.role === 'admin' && (
          <form class="inline" onSubmit={(e) => void create(e)}>
            <input placeholder="New network name" value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} required />
            <button>Create</button>
          </form>
        )}
      </div>
      {error && <p class="error">{error}</p>}
      <ListTable columns={columns} rows={items ?? []} />
    </section>
  );
}
