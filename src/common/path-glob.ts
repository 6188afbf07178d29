import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

// COPY/ADD sources: paths relative to the build context with Go's filepath.Match wildcards
// (`*`, `?`, `[…]`) in any segment, never leaving the context.

function segmentRegex(seg: string): RegExp {
  let re = '';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = seg.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        re += `[${seg.slice(i + 1, end).replace(/^\^/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else if (c === '\\' && i + 1 < seg.length) re += `\\${seg[++i]}`;
    else re += c.replace(/[.+^${}()|\]]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** The context-relative paths `pattern` names under `root` ('.' for the root itself), sorted. */
export function matchGlob(root: string, pattern: string): string[] {
  const parts = pattern.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) {
    // Sources outside the context are refused as Docker refuses them.
    const depth = parts.reduce((d, p) => (d < 0 ? d : p === '..' ? d - 1 : d + 1), 0);
    if (depth < 0) return [];
  }
  let found = [''];
  for (const part of parts) {
    const next: string[] = [];
    const wild = /[*?[]/.test(part);
    for (const base of found) {
      if (part === '..') {
        next.push(base.split('/').slice(0, -1).join('/'));
        continue;
      }
      if (!wild) {
        const rel = base ? `${base}/${part}` : part;
        if (existsSync(join(root, rel))) next.push(rel);
        continue;
      }
      const dir = join(root, base);
      if (!existsSync(dir) || !statSync(dir).isDirectory()) continue;
      const re = segmentRegex(part);
      for (const name of readdirSync(dir).sort()) if (re.test(name)) next.push(base ? `${base}/${name}` : name);
    }
    found = next;
  }
  return found.map((f) => f || '.');
}

/** Whether a .dockerignore (its lines) leaves `path` out: the last matching pattern decides, `!` re-includes. */
export function ignoredBy(path: string, lines: string[]): boolean {
  let ignored = false;
  for (const raw of lines) {
    let p = raw.trim();
    if (!p || p.startsWith('#')) continue;
    const include = p.startsWith('!');
    if (include) p = p.slice(1).trim();
    p = p.replace(/^\/+/, '').replace(/\/+$/, '');
    if (!p) continue;
    const segs = p.split('/');
    const re = new RegExp(`^${segs.map((s) => (s === '**' ? '.*' : segmentRegex(s).source.slice(1, -1))).join('/')}$`);
    // A pattern naming a directory also covers everything below it.
    const parts = path.split('/');
    const hit = parts.some((_, i) => re.test(parts.slice(0, i + 1).join('/')));
    if (hit) ignored = !include;
  }
  return ignored;
}
