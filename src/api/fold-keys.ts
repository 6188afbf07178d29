/**
 * Go's encoding/json matches object keys to struct fields case-insensitively, so dockerd accepts
 * `detachKeys` for `DetachKeys` (docker-py sends it so). This renames the keys of `body` that match
 * one of `fields` apart from case to the field's own spelling.
 */
export function foldKeys<T extends Record<string, unknown>>(body: T, fields: readonly string[]): T {
  const byLower = new Map(fields.map((f) => [f.toLowerCase(), f]));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) {
    const canonical = byLower.get(k.toLowerCase()) ?? k;
    if (canonical !== k && canonical in body) continue; // the exact spelling wins
    out[canonical] = v;
  }
  return out as T;
}

/** The fields of Docker's ExecConfig (POST /containers/{id}/exec). */
export const EXEC_CONFIG_FIELDS = [
  'User',
  'Privileged',
  'Tty',
  'ConsoleSize',
  'AttachStdin',
  'AttachStderr',
  'AttachStdout',
  'DetachKeys',
  'Env',
  'WorkingDir',
  'Cmd',
] as const;
