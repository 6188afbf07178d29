import { ApiClient, readJsonLines as typedReadJsonLines, type RequestOpts } from '../../src/client/api-client.js';

// Tests probe the daemon's raw JSON answers field by field, shapes the typed client does not
// promise (and bad requests it would never send): here, and only here, an answer is untyped.

export { ApiError, ConnectionError, encodeQuery, encodeQueryPairs, readAll } from '../../src/client/api-client.js';

export class RawClient extends ApiClient {
  override call<T = any>(method: string, path: string, opts: RequestOpts = {}): Promise<T> {
    return super.call<T>(method, path, opts);
  }
}

export const readJsonLines: <T = any>(stream: NodeJS.ReadableStream) => AsyncGenerator<T> = typedReadJsonLines;

/** Under the client's own name, so a test's import line is all that changes. */
export { RawClient as ApiClient };
