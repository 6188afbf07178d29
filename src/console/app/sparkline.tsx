/** A small line chart of the last values, scaled to `max` (or to the largest value). */
export function Sparkline({ values, max, label }: { values: number[]; max?: number; label: string }) {
  const w = 80;
  const h = 20;
  const top = Math.max(max ?? 0, ...values, 1e-9);
  const shown = values.length === 1 ? [values[0]!, values[0]!] : values;
  const pts = shown.map((v, i) => `${(i / Math.max(shown.length - 1, 1)) * w},${h - (v / top) * (h - 2) - 1}`).join(' ');
  return (
    <svg class="spark" width={w} height={h} viewBox={`0 0 ${w} ${h}`} role="img" aria-label={label}>
      <rect width={w} height={h} rx="3" class="spark-bg" />
      <polyline points={pts} fill="none" stroke="currentColor" stroke-width="1.5" />
    </svg>
  );
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(n >= 10 || i === 0 ? 0 : 1)} ${units[i]}`;
}
