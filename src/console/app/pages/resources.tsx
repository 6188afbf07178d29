import { useState } from 'preact/hooks';
import { call, json, type SessionInfo } from '../api.js';
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
  const volumes = items ?? [];
  return (
    <section>
      <h1>Volumes</h1>
      {error && <p class="error">{error}</p>}
      <table class="list">
        <thead>
          <tr>
            <th>Name</th>
            <th>Driver</th>
            <th>Mount point</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {volumes.map((v) => (
            <tr>
              <td data-label="Name">{v.Name}</td>
              <td data-label="Driver">{v.Driver}</td>
              <td data-label="Mount point">
                <code>{v.Mountpoint}</code>
              </td>
              <td>
                {session.role === 'admin' && (
                  <button class="link danger" onClick={() => void remove(`/volumes/${encodeURIComponent(v.Name)}`)}>
                    Remove
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function NetworksPage({ session }: { session: SessionInfo }) {
  const { items, reload } = useLiveList<Network>('/networks', ['network']);
  const { error, remove } = useRemove(reload);
  const [name, setName] = useState('');
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
      <table class="list">
        <thead>
          <tr>
            <th>Name</th>
            <th>Driver</th>
            <th>Subnet</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(items ?? []).map((n) => (
            <tr>
              <td data-label="Name">{n.Name}</td>
              <td data-label="Driver">{n.Driver}</td>
              <td data-label="Subnet">{(n.IPAM?.Config ?? []).map((c) => c.Subnet).join(', ')}</td>
              <td>
                {session.role === 'admin' && !['bridge', 'host', 'none'].includes(n.Name) && (
                  <button class="link danger" onClick={() => void remove(`/networks/${n.Id}`)}>
                    Remove
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
