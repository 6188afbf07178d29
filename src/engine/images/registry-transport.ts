import type { Dispatcher } from 'undici';

// undici is half of berthd's bundle (1.1 of 2.2 MB) and sets up a good deal when evaluated. Most of
// a daemon's life needs no registry, so undici is evaluated at the first registry request instead
// of at start: berthd's bundle keeps it behind this dynamic import.

type Undici = typeof import('undici');
let loaded: Promise<Undici> | undefined;

export const undici = (): Promise<Undici> => (loaded ??= import('undici'));

/** undici's request(), once undici is loaded. */
export async function registryRequest(url: string | URL, opts: Parameters<Undici['request']>[1]): Promise<Dispatcher.ResponseData> {
  // No caller passes an `opaque`: the response's is undici's default, null.
  return (await undici()).request(url, opts) as Promise<Dispatcher.ResponseData>;
}
