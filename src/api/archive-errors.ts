import { BerthError, InvalidArgumentError } from '../common/errors.js';

// A client's archive that is not a (complete) tar fails deep in the tar, gzip or zstd reader
// with that library's words. These are the client's fault: dockerd answers them as
// "Error processing tar file(…): unexpected EOF". Anything else is passed on unchanged.

const TAR_FAULTS: [RegExp, string][] = [
  [/^Unexpected end of data$|^unexpected end of file$|^unexpected EOF$/i, 'unexpected EOF'],
  [/^Invalid tar header|^Invalid header$|^Header exceeds max size$/, 'archive/tar: invalid tar header'],
  [/^incorrect header check$|^invalid (block type|distance|stored block|code)|^invalid zstd data$|^invalid block type$/, 'gzip: invalid header'],
];

/** The client-facing error for an archive the readers refused, or undefined when it is not one. */
export function tarClientError(err: unknown): InvalidArgumentError | undefined {
  if (err instanceof BerthError || !(err instanceof Error)) return undefined;
  for (const [re, words] of TAR_FAULTS) if (re.test(err.message)) return new InvalidArgumentError(`Error processing tar file: ${words}`);
  return undefined;
}

/** Runs `work`, turning a refused archive into a 400. */
export async function withTarErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw tarClientError(err) ?? err;
  }
}
