import type { ContainerSummary } from '../../../client/api-client.js';
import { goFormatterContext } from '../../output/go-value.js';
import { displayablePorts } from '../../output/ports.js';
import { goTimeString, humanDuration, humanSize } from '../../output/units.js';

// One row of `ps` as docker's formatter.ContainerContext shows it: truncation, ports, sizes, ages.

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

/** The `ps` row object templates see (`.ID`, `.Names`, `.Label "k"` …). */
export function containerContext(c: ContainerSummary, trunc: boolean, now = Date.now()): object {
  const names = (c.Names ?? [])
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
    CreatedAt: () => goTimeString(new Date(c.Created * 1000)),
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
      (c.Mounts ?? [])
        .map((m) => (m.Name ? (trunc ? ellipsis(m.Name, 15) : m.Name) : trunc ? ellipsis(m.Source ?? '', 15) : m.Source))
        .join(','),
    LocalVolumes: () => String((c.Mounts ?? []).filter((m) => m.Driver === 'local').length),
    Networks: () => Object.keys(c.NetworkSettings?.Networks ?? {}).sort().join(','),
    Platform: () => '',
  };
  return goFormatterContext(ctx, '*formatter.ContainerContext');
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
