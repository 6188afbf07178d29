import { createHash } from 'node:crypto';

// The fakes' filesystem: a map from absolute path to file, and the ids they hand out.

/** A file in a fake filesystem, keyed by absolute path. */
export interface FakeFile {
  type: 'file' | 'directory';
  mode: number;
  data: Buffer;
  owner: string;
}
export type FakeTree = Map<string, FakeFile>;

let counter = 0;
/** A fresh image-style id. */
export const newId = (seed: string): string => `sha256:${createHash('sha256').update(`${seed}:${++counter}`).digest('hex')}`;

export const copyTree = (t: FakeTree): FakeTree => new Map([...t].map(([k, v]) => [k, { ...v }]));

/** `{'/a/b': 'text'}` as a tree, parents included. */
export function treeOf(files: Record<string, string>): FakeTree {
  const t: FakeTree = new Map();
  for (const [path, text] of Object.entries(files)) writeFile(t, path, { type: 'file', mode: 0o644, data: Buffer.from(text), owner: '0:0' });
  return t;
}

export function writeFile(t: FakeTree, path: string, f: FakeFile): void {
  const parts = path.split('/').filter(Boolean);
  for (let i = 1; i < parts.length; i++) {
    const dir = '/' + parts.slice(0, i).join('/');
    if (!t.has(dir)) t.set(dir, { type: 'directory', mode: 0o755, data: Buffer.alloc(0), owner: '0:0' });
  }
  t.set('/' + parts.join('/'), f);
}

