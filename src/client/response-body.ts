// Reading a response body: whole, as the daemon's error message, or as newline-delimited JSON.

export async function readAll(stream: NodeJS.ReadableStream | AsyncIterable<Uint8Array | string>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : Buffer.isBuffer(c) ? c : Buffer.from(c));
  return Buffer.concat(chunks);
}

/** The `message` of Docker's JSON error body, or the body's text when it is not one. */
export function messageOf(body: Buffer): string {
  const text = body.toString('utf8').trim();
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && 'message' in parsed && typeof parsed.message === 'string') return parsed.message;
  } catch {
    /* not JSON */
  }
  return text;
}

/**
 * Parses a newline-delimited JSON stream (progress, events, stats). `T` is what the endpoint
 * sends; the lines are the daemon's and are not checked field by field.
 */
export async function* readJsonLines<T = unknown>(body: NodeJS.ReadableStream | AsyncIterable<Uint8Array | string>): AsyncGenerator<T> {
  let pending = '';
  // A multi-byte character split across two chunks is joined before it is decoded.
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl).trim();
      pending = pending.slice(nl + 1);
      if (line) yield JSON.parse(line) as T;
    }
  }
  pending += decoder.decode();
  if (pending.trim()) yield JSON.parse(pending) as T;
}
