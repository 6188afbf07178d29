// The console's view of berthd: its Docker API under /api, with the session's CSRF token on
// every call that changes something.

let csrf = '';

export interface SessionInfo {
  role: 'admin' | 'readonly';
  csrf: string;
}

export async function loadSession(): Promise<SessionInfo | undefined> {
  const res = await fetch('/session', { credentials: 'same-origin' });
  if (!res.ok) return undefined;
  const s = (await res.json()) as SessionInfo;
  csrf = s.csrf;
  return s;
}

export function csrfToken(): string {
  return csrf;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function call(method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = {};
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = csrf;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`/api${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  if (!res.ok) {
    let message = `${res.status} ${res.statusText}`;
    try {
      message = ((await res.json()) as { message?: string }).message ?? message;
    } catch {
      // not JSON
    }
    throw new ApiError(res.status, message);
  }
  return res;
}

export async function json<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await call(method, path, body);
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Reads an NDJSON stream (pull progress, events, upgrades) message by message. */
export async function ndjson(res: Response, onMessage: (m: Record<string, unknown>) => void, signal?: AbortSignal): Promise<void> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  while (!signal?.aborted) {
    const { done, value } = await reader.read();
    if (done) break;
    buf += decoder.decode(value, { stream: true });
    let nl: number;
    while ((nl = buf.indexOf('\n')) !== -1) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line) onMessage(JSON.parse(line) as Record<string, unknown>);
    }
  }
  if (buf.trim()) onMessage(JSON.parse(buf) as Record<string, unknown>);
}

/** Docker's log stream: raw for a TTY, else frames of [stream, 0, 0, 0, size (4 bytes)]. */
export async function readLogs(res: Response, tty: boolean, onText: (text: string, stream: 'stdout' | 'stderr') => void, signal: AbortSignal): Promise<void> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let pending = new Uint8Array(0);
  signal.addEventListener('abort', () => void reader.cancel());
  for (;;) {
    const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
    if (done || !value) return;
    if (tty) {
      onText(decoder.decode(value, { stream: true }), 'stdout');
      continue;
    }
    const joined = new Uint8Array(pending.length + value.length);
    joined.set(pending);
    joined.set(value, pending.length);
    let at = 0;
    while (joined.length - at >= 8) {
      const size = new DataView(joined.buffer, joined.byteOffset + at + 4, 4).getUint32(0);
      if (joined.length - at - 8 < size) break;
      onText(new TextDecoder().decode(joined.subarray(at + 8, at + 8 + size)), joined[at] === 2 ? 'stderr' : 'stdout');
      at += 8 + size;
    }
    pending = joined.slice(at);
  }
}

export interface ContainerSummary {
  Id: string;
  Names: string[];
  Image: string;
  State: string;
  Status: string;
  Ports: { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[];
  Labels: Record<string, string> | null;
  Created: number;
}

export const shortId = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);
export const nameOf = (c: { Names: string[] }) => (c.Names[0] ?? '').replace(/^\//, '');
