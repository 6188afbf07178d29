import { createHash } from 'node:crypto';

/** chainID(1) = diffID(1); chainID(n) = sha256(chainID(n-1) + " " + diffID(n)), as in the OCI image spec. */
export function chainIds(diffIds: readonly string[]): string[] {
  const out: string[] = [];
  for (const diffId of diffIds) {
    const prev = out[out.length - 1];
    out.push(prev === undefined ? diffId : 'sha256:' + createHash('sha256').update(`${prev} ${diffId}`).digest('hex'));
  }
  return out;
}
