import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { loadSession, type SessionInfo, csrfToken } from './api.js';
import { ContainersPage } from './pages/containers.js';
import { ContainerPage } from './pages/container.js';
import { DeployPage } from './pages/deploy.js';
import { EventsPage } from './pages/events.js';
import { ImagesPage } from './pages/images.js';
import { NetworksPage, VolumesPage } from './pages/resources.js';
import './styles.css';

function useHash(): string {
  const [hash, setHash] = useState(location.hash || '#/');
  useEffect(() => {
    const on = () => setHash(location.hash || '#/');
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash;
}

const NAV: [string, string][] = [
  ['#/', 'Containers'],
  ['#/deploy', 'Deploy'],
  ['#/images', 'Images'],
  ['#/volumes', 'Volumes'],
  ['#/networks', 'Networks'],
  ['#/events', 'Events'],
];

function Page({ hash, session }: { hash: string; session: SessionInfo }) {
  const path = hash.slice(1);
  const m = /^\/containers\/([^/?]+)/.exec(path);
  if (m) return <ContainerPage id={decodeURIComponent(m[1]!)} session={session} />;
  if (path.startsWith('/deploy')) return <DeployPage session={session} />;
  if (path.startsWith('/images')) return <ImagesPage session={session} />;
  if (path.startsWith('/volumes')) return <VolumesPage session={session} />;
  if (path.startsWith('/networks')) return <NetworksPage session={session} />;
  if (path.startsWith('/events')) return <EventsPage />;
  return <ContainersPage session={session} />;
}

async function signOut() {
  await fetch('/logout', { method: 'POST', headers: { 'X-CSRF-Token': csrfToken() } });
  location.reload();
}

function App() {
  const [session, setSession] = useState<SessionInfo | null | undefined>(undefined);
  const hash = useHash();
  useEffect(() => {
    loadSession().then((s) => setSession(s ?? null), () => setSession(null));
  }, []);
  if (session === undefined) return null;
  if (session === null) {
    return (
      <main class="notice">
        <h1>berth</h1>
        <p>
          Sign in with a link from the server: <code>berth console token</code>
        </p>
      </main>
    );
  }
  const current = NAV.filter(([h]) => h !== '#/').find(([h]) => hash.startsWith(h))?.[0] ?? '#/';
  return (
    <>
      <header class="top">
        <a class="brand" href="#/">
          berth
        </a>
        <nav>
          {NAV.map(([h, label]) => (
            <a href={h} class={h === current ? 'active' : ''}>
              {label}
            </a>
          ))}
        </nav>
        <span class="who">
          {session.role === 'readonly' ? 'read-only' : ''}
          <button class="link" onClick={() => void signOut()}>
            Sign out
          </button>
        </span>
      </header>
      <main>
        <Page hash={hash} session={session} />
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
