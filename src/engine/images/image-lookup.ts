import type { ImageRepository } from '../../store/image-repository.js';
import { familiarString, fullName, looksLikeId, parseNormalizedNamed, referenceString, tagNameOnly, type ImageReference } from './reference.js';

// How a name the user typed finds an image: name[:tag], name@digest, full id or unambiguous id prefix.

const FULL_ID = /^(sha256:)?[a-f0-9]{64}$/;

/** The image id a reference, full id or unique id prefix names, if any. */
export function resolveImageId(repo: ImageRepository, s: string): string | undefined {
  if (FULL_ID.test(s)) {
    const id = s.startsWith('sha256:') ? s : `sha256:${s}`;
    return repo.get(id) ? id : undefined;
  }
  let ref: ImageReference | undefined;
  try {
    ref = parseNormalizedNamed(s);
  } catch {
    ref = undefined;
  }
  if (ref) {
    const found = ref.digest ? repo.resolveDigest(`${fullName(ref)}@${ref.digest}`) : repo.resolveTag(referenceString(tagNameOnly(ref)));
    if (found) return found;
  }
  if (looksLikeId(s)) {
    const hits = repo.findByIdPrefix(s.replace(/^sha256:/, ''));
    if (hits.length === 1) return hits[0]!.id;
  }
  return undefined;
}

/** The name a "No such image" error shows: the familiar reference, or the text as given. */
export function notFoundName(s: string): string {
  try {
    return familiarString(tagNameOnly(parseNormalizedNamed(s)));
  } catch {
    return s;
  }
}

/** What `s` resolves to read as a reference only (never as an id prefix). */
function resolveAsRef(repo: ImageRepository, s: string): string | undefined {
  try {
    const ref = parseNormalizedNamed(s);
    return ref.digest ? repo.resolveDigest(`${fullName(ref)}@${ref.digest}`) : repo.resolveTag(referenceString(tagNameOnly(ref)));
  } catch {
    return undefined;
  }
}

/** True when `s` named image `id` by its id (prefix) rather than by one of its references. */
export function isIdReference(repo: ImageRepository, s: string, id: string): boolean {
  const hex = s.replace(/^sha256:/, '');
  return looksLikeId(s) && id.slice(7).startsWith(hex) && resolveAsRef(repo, s) !== id;
}
