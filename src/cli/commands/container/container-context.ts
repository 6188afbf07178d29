import { goFormatterContext } from '../../output/go-value.js';

// One row of `ps` as docker's formatter.ContainerContext shows it: truncation, ports, sizes, ages.

/** go-units HumanDuration. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.trunc(ms / 3_600_000 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(ms / 3_600_000 / 24 / 365)} years`;
}

/** go-units HumanSize: decimal units, 4 significant digits. */
export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
  let size = bytes;
  let i = 0;
  while (size >= 1000 && i < units.length - 1) {
    size /= 1000;
    i++;
  }
  return `${formatG4(size)}${units[i]}`;
}

/** Go's %.4g for the magnitudes sizes have. */
function formatG4(n: number): string {
  return String(Number(n.toPrecision(4)));
}

/** docker's formatter.Ellipsis: cut to `max` runes, the last one an ellipsis. */
export function ellipsis(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  return chars.slice(0, max - 1).join('') + '…';
}

/** Go's strconv.Quote for the printable text commands usually are. */
export function goQuote(s: string): string {
  return JSON.stringify(s).replace(/\\u007f/g, '\\x7f');
}

interface ApiPort {
  IP?: string;
  PrivatePort: number;
  PublicPort?: number;
  Type: string;
}

/** docker's DisplayablePorts: published ports as `ip:public->private/proto`, consecutive ones as ranges. */
export function displayablePorts(ports: ApiPort[]): string {
  const groups = new Map<string, { first: number; last: number; pubFirst?: number; pubLast?: number; ip: string; type: string }[]>();
  const order: string[] = [];
  const sorted = [...ports].sort((a, b) => a.PrivatePort - b.PrivatePort || (a.PublicPort ?? 0) - (b.PublicPort ?? 0));
  for (const p of sorted) {
    const ip = p.IP ?? '';
    const key = `${ip}/${p.Type}/${p.PublicPort ? 'pub' : 'priv'}`;
    if (!groups.has(key)) {
      groups.set(key, []);
      order.push(key);
    }
    const list = groups.get(key)!;
    const last = list[list.length - 1];
    const contiguous = last && last.last + 1 === p.PrivatePort && (p.PublicPort ? last.pubLast! + 1 === p.PublicPort : true);
    if (contiguous) {
      last.last = p.PrivatePort;
      if (p.PublicPort) last.pubLast = p.PublicPort;
    } else list.push({ first: p.PrivatePort, last: p.PrivatePort, pubFirst: p.PublicPort, pubLast: p.PublicPort, ip, type: p.Type });
  }
  const range = (a: number, b: number): string => (a === b ? String(a) : `${a}-${b}`);
  const out: string[] = [];
  for (const key of order) {
    for (const g of groups.get(key)!) {
      if (g.pubFirst) {
        const host = g.ip.includes(':') ? `[${g.ip}]` : g.ip;
        out.push(`${host}:${range(g.pubFirst, g.pubLast!)}->${range(g.first, g.last)}/${g.type}`);
      } else out.push(`${range(g.first, g.last)}/${g.type}`);
    }
  }
  return out.join(', ');
}

/** The `ps` row object templates see (`.ID`, `.Names`, `.Label "k"` …). */
export function containerContext(c: any, trunc: boolean, now = Date.now()): object {
  const names = ((c.Names ?? []) as string[])
    .map((n) => n.replace(/^\//, ''))
    .filter((n) => !trunc || !n.includes('/'));
  const labels: Record<string, string> = c.Labels ?? {};
  const ctx = {
    ID: () => (trunc ? String(c.Id).slice(0, 12) : String(c.Id)),
    Names: () => names.join(','),
    Image: () => {
      const image = String(c.Image ?? '');
      if (trunc && image.startsWith('sha256:')) return image.slice(7, 19);
      return image || '<no image>';
    },
    Command: () => goQuote(trunc ? ellipsis(String(c.Command ?? ''), 20) : String(c.Command ?? '')),
    CreatedAt: () => formatCreatedAt(c.Created),
    RunningFor: () => `${humanDuration(now - c.Created * 1000)} ago`,
    Ports: () => displayablePorts(c.Ports ?? []),
    State: () => String(c.State ?? ''),
    Status: () => String(c.Status ?? ''),
    Size: () => {
      if (c.SizeRw === undefined && c.SizeRootFs === undefined) return '0B';
      const rw = humanSize(c.SizeRw ?? 0);
      return `${rw} (virtual ${humanSize(c.SizeRootFs ?? 0)})`;
    },
    Labels: () =>
      Object.entries(labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
    Label: (name: string) => labels[name] ?? '',
    Mounts: () =>
      ((c.Mounts ?? []) as any[])
        .map((m) => (m.Name ? (trunc ? ellipsis(m.Name, 15) : m.Name) : trunc ? ellipsis(m.Source ?? '', 15) : m.Source))
        .join(','),
    LocalVolumes: () => String(((c.Mounts ?? []) as any[]).filter((m) => m.Driver === 'local').length),
    Networks: () => Object.keys(c.NetworkSettings?.Networks ?? {}).sort().join(','),
    Platform: () => '',
  };
  return goFormatterContext(ctx, '*formatter.ContainerContext');
}

/** Go's time.Time String() in local time, e.g. `2025-01-02 15:04:05 +0000 UTC`. */
function formatCreatedAt(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const offsetMin = -d.getTimezoneOffset();
  const sign = offsetMin >= 0 ? '+' : '-';
  const abs = Math.abs(offsetMin);
  const zone = Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(d).find((p) => p.type === 'timeZoneName')?.value ?? '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${sign}${pad(Math.trunc(abs / 60))}${pad(abs % 60)} ${zone === 'GMT' ? 'UTC' : zone}`;
}

export const PS_HEADERS: Record<string, string> = {
  ID: 'CONTAINER ID',
  Names: 'NAMES',
  Image: 'IMAGE',
  Command: 'COMMAND',
  CreatedAt: 'CREATED AT',
  RunningFor: 'CREATED',
  Ports: 'PORTS',
  State: 'STATE',
  Status: 'STATUS',
  Size: 'SIZE',
  Labels: 'LABELS',
  Label: 'LABEL',
  Mounts: 'MOUNTS',
  LocalVolumes: 'LOCAL VOLUMES',
  Networks: 'NETWORKS',
  Platform: 'PLATFORM',
};
