import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError } from '../../../common/errors.js';
import type { OciUser } from '../../runtime/oci-spec.js';

function readDb(rootfs: string, file: string): string[][] {
  try {
    return readFileSync(join(rootfs, 'etc', file), 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.split(':'));
  } catch {
    return [];
  }
}

const isNumeric = (s: string): boolean => /^\d+$/.test(s);

/**
 * Docker's `User` ("name", "uid", "name:group", "uid:gid", empty = root) resolved against the
 * container's /etc/passwd and /etc/group, with the user's supplementary groups and `groupAdd`.
 */
export function resolveUser(rootfs: string, userSpec: string | undefined, groupAdd: string[] = []): OciUser & { home: string } {
  const spec = (userSpec ?? '').trim();
  const [userPart = '', groupPart] = spec.split(':', 2) as [string, string | undefined];
  const passwd = readDb(rootfs, 'passwd');
  const groups = readDb(rootfs, 'group');

  let uid = 0;
  let gid = 0;
  let name = 'root';
  let home = '/root';
  const entry = userPart === '' ? passwd.find((p) => p[2] === '0') : passwd.find((p) => p[0] === userPart || (isNumeric(userPart) && p[2] === userPart));
  if (entry) {
    name = entry[0]!;
    uid = Number(entry[2]);
    gid = Number(entry[3]);
    home = entry[5] || '/';
  } else if (userPart === '') {
    home = '/root';
  } else if (isNumeric(userPart)) {
    uid = Number(userPart);
    name = '';
    home = '/';
  } else {
    throw new InvalidArgumentError(`unable to find user ${userPart}: no matching entries in passwd file`);
  }

  const groupId = (g: string): number => {
    const row = groups.find((r) => r[0] === g || (isNumeric(g) && r[2] === g));
    if (row) return Number(row[2]);
    if (isNumeric(g)) return Number(g);
    throw new InvalidArgumentError(`unable to find group ${g}: no matching entries in group file`);
  };
  if (groupPart !== undefined && groupPart !== '') gid = groupId(groupPart);

  // Supplementary groups come from /etc/group membership, only when no group was forced (as runc's
  // user lookup does), then --group-add.
  const extra = new Set<number>();
  if (name && (groupPart === undefined || groupPart === '')) {
    for (const row of groups) {
      const members = (row[3] ?? '').split(',').filter(Boolean);
      if (members.includes(name)) extra.add(Number(row[2]));
    }
  }
  for (const g of groupAdd) extra.add(groupId(g));
  extra.delete(gid);
  const additionalGids = [gid, ...[...extra].sort((a, b) => a - b)];
  return { uid, gid, additionalGids, ...(name ? { username: name } : {}), home };
}
