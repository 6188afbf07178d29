import { randomBytes } from 'node:crypto';

/** A 64-hex-digit id, as Docker gives containers and exec sessions. */
export function newId(): string {
  return randomBytes(32).toString('hex');
}

/** Docker's 12-character short form. */
export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}
