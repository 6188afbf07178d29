import { InvalidArgumentError } from '../../common/errors.js';

// registry-mirrors as dockerd reads them: http(s) URLs of a host with no path, query, fragment or
// credentials, kept with one trailing slash (what `docker info` shows). They stand in front of
// Docker Hub only; every other registry is asked directly.

/** Checks and normalises one mirror URL, with dockerd's messages. */
export function normalizeMirror(val: string): string {
  let uri: URL;
  try {
    uri = new URL(val);
  } catch {
    throw new InvalidArgumentError(`invalid mirror: "${val}" is not a valid URI`);
  }
  const scheme = uri.protocol.replace(/:$/, '');
  if (scheme !== 'http' && scheme !== 'https') throw new InvalidArgumentError(`invalid mirror: unsupported scheme "${scheme}" in "${val}"`);
  if ((uri.pathname !== '' && uri.pathname !== '/') || uri.search !== '' || uri.hash !== '') {
    throw new InvalidArgumentError(`invalid mirror: path, query, or fragment at end of the URI "${val}"`);
  }
  if (uri.username || uri.password) {
    const shown = val.replace(/\/\/([^:@/]*)(:[^@/]*)?@/, '//$1:xxxxx@');
    throw new InvalidArgumentError(`invalid mirror: username/password not allowed in URI "${shown}"`);
  }
  return val.replace(/\/$/, '') + '/';
}
