// Tar entry names as paths inside a root: never climbing out of it.

/** Resolves a tar entry name to a path relative to the root it is extracted into; null if it climbs out. */
export function cleanEntryName(name: string): string | null {
  const parts: string[] = [];
  for (const p of name.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') {
      if (parts.length === 0) return null;
      parts.pop();
    } else parts.push(p);
  }
  return parts.join('/');
}
