import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

// Everything a faithful copy of a directory tree must keep, per path: kind, owner, mode, mtime,
// content hash, allocated size class (sparse or not), link target, device numbers, hard-link
// groups and xattrs. Two trees are copies when their snapshots are deep-equal.

export interface TreeEntry {
  kind: string;
  uid: number;
  gid: number;
  mode: string;
  mtime: number;
  size: number;
  sparse?: boolean;
  sha256?: string;
  target?: string;
  rdev?: number;
  /** The first path (in name order) of this entry's hard-link group. */
  linkGroup?: string;
  xattrs: Record<string, string>;
}

function xattrsOf(root: string): Map<string, Record<string, string>> {
  const text = execFileSync('getfattr', ['-R', '-P', '-h', '-d', '-m', '-', '-e', 'hex', '.'], { cwd: root, encoding: 'latin1' });
  const out = new Map<string, Record<string, string>>();
  let cur: Record<string, string> | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('# file: ')) {
      const p = line.slice(8);
      cur = {};
      out.set(p === '.' ? '' : p, cur);
    } else if (cur && line.includes('=')) {
      const i = line.indexOf('=');
      cur[line.slice(0, i)] = line.slice(i + 1);
    }
  }
  return out;
}

export function snapshotTree(root: string, o: { skipRootTime?: boolean } = {}): Record<string, TreeEntry> {
  const xattrs = xattrsOf(root);
  const out: Record<string, TreeEntry> = {};
  const inodes = new Map<string, string>();
  const walk = (rel: string): void => {
    const abs = rel ? join(root, rel) : root;
    const st = lstatSync(abs);
    const kind = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : st.isCharacterDevice() ? 'chr' : st.isBlockDevice() ? 'blk' : st.isFIFO() ? 'fifo' : 'other';
    const e: TreeEntry = {
      kind,
      uid: st.uid,
      gid: st.gid,
      mode: (st.mode & 0o7777).toString(8),
      mtime: rel === '' && o.skipRootTime ? 0 : Math.floor(st.mtimeMs / 1000),
      size: kind === 'dir' ? 0 : st.size,
      xattrs: xattrs.get(rel) ?? {},
    };
    if (kind === 'file') {
      e.sha256 = createHash('sha256').update(readFileSync(abs)).digest('hex');
      e.sparse = st.blocks * 512 < st.size;
      if (st.nlink > 1) {
        const key = `${st.dev}:${st.ino}`;
        if (!inodes.has(key)) inodes.set(key, rel);
        e.linkGroup = inodes.get(key);
      }
    }
    if (kind === 'symlink') e.target = readlinkSync(abs);
    if (kind === 'chr' || kind === 'blk') e.rdev = st.rdev;
    out[rel] = e;
    if (kind === 'dir') for (const n of readdirSync(abs).sort()) walk(rel ? `${rel}/${n}` : n);
  };
  walk('');
  return out;
}

/** A POSIX ACL xattr value (system.posix_acl_access) granting `uid` rw, without setfacl. */
export function aclWithUser(uid: number): string {
  const entry = (tag: number, perm: number, id: number) => {
    const b = Buffer.alloc(8);
    b.writeUInt16LE(tag, 0);
    b.writeUInt16LE(perm, 2);
    b.writeUInt32LE(id, 4);
    return b;
  };
  const NO_ID = 0xffffffff;
  const buf = Buffer.concat([Buffer.from([2, 0, 0, 0]), entry(1, 6, NO_ID), entry(2, 6, uid), entry(4, 4, NO_ID), entry(0x10, 6, NO_ID), entry(0x20, 4, NO_ID)]);
  return '0x' + buf.toString('hex');
}

/** Fills `dir` with one of each thing a volume can hold (run as root). */
export function populateTree(dir: string): void {
  const sh = (script: string) => execFileSync('sh', ['-ec', script], { cwd: dir });
  sh(`
    mkdir -p sub/deep "name with spaces" && echo hello > sub/file.txt
    printf 'secret' > owned && chown 1234:5678 owned && chmod 0640 owned
    cp /bin/true suidbin && chown 0:0 suidbin && chmod 4755 suidbin
    echo linked > sub/deep/a && ln sub/deep/a sub/b-hardlink && ln sub/deep/a third-link
    ln -s sub/file.txt rel-link && ln -s /etc/passwd abs-link && ln -s missing dangling
    truncate -s 64M sparse.img && printf 'data' | dd of=sparse.img bs=1 seek=1048576 conv=notrunc status=none
    dd if=/dev/urandom of=random.bin bs=64k count=40 status=none
    mkfifo pipe && mknod null-dev c 1 3 && chown 42:43 null-dev
    setfattr -n user.note -v 'héllo' sub/file.txt
    setfattr -n security.capability -v 0x0100000200200000000000000000000000000000 suidbin
    setfattr -n system.posix_acl_access -v ${aclWithUser(1234)} owned
    setfattr -n user.dir -v yes sub
    printf 'ü' > "name with spaces/ünïcode-$(printf 'x%.0s' $(seq 1 120))"
    touch -h -d '2021-03-04 05:06:07' rel-link && touch -d '2020-01-02 03:04:05' sub/file.txt sub/deep sub
    chown 1000:1000 sub/deep && chmod 2775 sub/deep
  `);
}
