import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';

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

/** A .dockerignore line as Docker reads it: cleaned, `!` split off; undefined for comments and blanks. */
function ignoreRule(raw: string): { pattern: RegExp; include: boolean } | undefined {
  // As Docker: a comment starts at the first column; the rest is trimmed.
  if (raw.startsWith('#')) return undefined;
  let p = raw.trim();
  const include = p.startsWith('!');
  if (include) p = p.slice(1).trim();
  if (!p) return undefined;
  p = posix.normalize(p).replace(/^\/+/, '').replace(/\/+$/, '');
  if (!p || p === '.') return undefined;
  return { pattern: ignoreRegex(p), include };
}

/** moby's patternmatcher: `*` and `?` stay within a segment, `**` (and `**\/`) spans any number of them, even none. */
function ignoreRegex(p: string): RegExp {
  let re = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '*' && p[i + 1] === '*') {
      i++;
      if (p[i + 1] === '/') i++;
      re += i + 1 >= p.length ? '.*' : '(.*/)?';
    } else if (c === '*' || c === '?' || c === '[') {
      // One segment's worth of Go filepath.Match syntax.
      let end = i;
      while (end + 1 < p.length && p[end + 1] !== '/' && !(p[end + 1] === '*' && p[end + 2] === '*')) end++;
      re += segmentRegex(p.slice(i, end + 1)).source.slice(1, -1);
      i = end;
    } else if (c === '\\' && i + 1 < p.length) re += `\\${p[++i]}`;
    else re += c.replace(/[.+^${}()|\]]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Whether a .dockerignore (its lines) leaves `path` out: the last matching pattern decides, `!` re-includes. */
export function ignoredBy(path: string, lines: string[]): boolean {
  let ignored = false;
  const parts = path.split('/');
  for (const raw of lines) {
    const rule = ignoreRule(raw);
    if (!rule) continue;
    // A pattern naming a directory also covers everything below it.
    const hit = parts.some((_, i) => rule.pattern.test(parts.slice(0, i + 1).join('/')));
    if (hit) ignored = !rule.include;
  }
  return ignored;
}

/** Whether the .dockerignore has `!` exceptions, which may take files back out of an ignored directory. */
export function hasIgnoreExceptions(lines: string[]): boolean {
  return lines.some((l) => ignoreRule(l)?.include);
}
