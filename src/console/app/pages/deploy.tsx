import { useState } from 'preact/hooks';
import { call, json, ndjson, type SessionInfo } from '../api.js';

interface Form {
  image: string;
  name: string;
  ports: string;
  env: string;
  volumes: string;
  restart: string;
  healthCmd: string;
  healthInterval: string;
}

const words = (s: string) => s.split(/[\s,]+/).filter(Boolean);
const lines = (s: string) => s.split('\n').map((l) => l.trim()).filter(Boolean);
const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** The create request the form describes, and the `berth run` line that makes the same. */
export function deployRequest(f: Form): { body: Record<string, unknown>; command: string } {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  const cmd = ['berth', 'run', '-d'];
  if (f.name) cmd.push('--name', f.name);
  for (const p of words(f.ports)) {
    const [spec, proto = 'tcp'] = p.split('/');
    const parts = spec!.split(':');
    const container = parts.pop()!;
    const host = parts.pop() ?? '';
    const ip = parts.pop() ?? '';
    const key = `${container}/${proto}`;
    exposed[key] = {};
    (bindings[key] ??= []).push({ HostIp: ip, HostPort: host });
    cmd.push('-p', p);
  }
  const env = lines(f.env);
  for (const e of env) cmd.push('-e', e);
  const binds = lines(f.volumes);
  for (const v of binds) cmd.push('-v', v);
  if (f.restart && f.restart !== 'no') cmd.push('--restart', f.restart);
  const interval = Number(f.healthInterval) || 0;
  if (f.healthCmd) {
    cmd.push('--health-cmd', f.healthCmd);
    if (interval) cmd.push('--health-interval', `${interval}s`);
  }
  cmd.push(f.image);
  const body: Record<string, unknown> = {
    Image: f.image,
    Env: env,
    ExposedPorts: exposed,
    HostConfig: { PortBindings: bindings, Binds: binds, RestartPolicy: { Name: f.restart === 'no' ? '' : f.restart, MaximumRetryCount: 0 } },
  };
  if (f.healthCmd) body.Healthcheck = { Test: ['CMD-SHELL', f.healthCmd], Interval: interval * 1e9 };
  return { body, command: cmd.map(quote).join(' ') };
}

interface FieldProps {
  label: string;
  name: keyof Form;
  /** A textarea, one entry a line. */
  lines?: boolean;
  placeholder?: string;
  required?: boolean;
  type?: string;
  min?: string;
  f: Form;
  set: (k: keyof Form) => (e: Event) => void;
}

/** One labelled input of the form, named after the field it fills. */
function Field({ label, name, lines, f, set, ...attrs }: FieldProps) {
  return (
    <label>
      {`${label} `}
      {lines ? <textarea name={name} {...attrs} value={f[name]} onInput={set(name)} /> : <input name={name} {...attrs} value={f[name]} onInput={set(name)} />}
    </label>
  );
}

export function DeployPage({ session }: { session: SessionInfo }) {
  const [f, setF] = useState<Form>({ image: '', name: '', ports: '', env: '', volumes: '', restart: 'unless-stopped', healthCmd: '', healthInterval: '' });
  const [progress, setProgress] = useState<string[]>([]);
  const [error, setError] = useState('');
  const [done, setDone] = useState<{ id: string; command: string } | undefined>();
  const [busy, setBusy] = useState(false);
  const set = (k: keyof Form) => (e: Event) => setF({ ...f, [k]: (e.target as HTMLInputElement).value });
  if (session.role !== 'admin') return <p class="muted">A read-only session cannot deploy.</p>;
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    setProgress([]);
    setDone(undefined);
    const { body, command } = deployRequest(f);
    try {
      const [repo, tag] = /^(.*?)(?::([\w][\w.-]*))?$/.exec(f.image)!.slice(1) as [string, string | undefined];
      const have = await call('GET', `/images/${encodeURIComponent(f.image)}/json`).then(
        () => true,
        () => false,
      );
      if (!have) {
        const res = await call('POST', `/images/create?fromImage=${encodeURIComponent(repo)}&tag=${encodeURIComponent(tag ?? 'latest')}`);
        await ndjson(res, (m) => {
          if (m.error) throw new Error(String(m.error));
          setProgress((p) => [...p, `${m.id ? `${m.id}: ` : ''}${m.status ?? ''}`]);
        });
      }
      const created = await json<{ Id: string }>('POST', `/containers/create${f.name ? `?name=${encodeURIComponent(f.name)}` : ''}`, body);
      await call('POST', `/containers/${created.Id}/start`);
      setDone({ id: created.Id, command });
    } catch (err) {
      setError((err as Error).message);
    }
    setBusy(false);
  };
  return (
    <section>
      <h1>Deploy</h1>
      <form class="form" onSubmit={(e) => void submit(e)}>
        <Field label="Image" name="image" required placeholder="nginx:latest" f={f} set={set} />
        <Field label="Name" name="name" placeholder="web" f={f} set={set} />
        <Field label="Ports" name="ports" placeholder="8080:80 8443:443" f={f} set={set} />
        <Field label="Environment" name="env" lines placeholder="KEY=value, one a line" f={f} set={set} />
        <Field label="Volumes" name="volumes" lines placeholder="data:/var/lib/data, one a line" f={f} set={set} />
        <label>
          Restart policy
          <select name="restart" value={f.restart} onChange={set('restart')}>
            {['no', 'always', 'unless-stopped', 'on-failure'].map((r) => (
              <option value={r}>{r}</option>
            ))}
          </select>
        </label>
        <Field label="Healthcheck" name="healthCmd" placeholder="curl -f http://localhost/ || exit 1" f={f} set={set} />
        <Field label="Every (seconds)" name="healthInterval" type="number" min="1" f={f} set={set} />
        <button disabled={busy}>{busy ? 'Deploying…' : 'Deploy'}</button>
      </form>
      {progress.length > 0 && <pre class="log short">{progress.join('\n')}</pre>}
      {error && <p class="error">{error}</p>}
      {done && (
        <div class="done" data-testid="deployed">
          <p>
            Running: <a href={`#/containers/${done.id}`}>{f.name || done.id.slice(0, 12)}</a>. The same from a shell:
          </p>
          <pre class="command">{done.command}</pre>
        </div>
      )}
    </section>
  );
}
