import { InvalidArgumentError } from '../../common/errors.js';

/** Docker's ParseLink: "name:alias", "name" (alias = name), or inspect's "/name:/parent/alias". */
export function parseLink(link: string): { name: string; alias: string } {
  const parts = link.split(':');
  if (!link || parts.length > 2) throw new InvalidArgumentError(link ? `bad format for links: ${link}` : 'empty string specified for links');
  if (parts.length === 1) return { name: link, alias: link };
  if (parts[0]!.startsWith('/')) return { name: parts[0]!.slice(1), alias: parts[1]!.split('/').pop()! };
  return { name: parts[0]!, alias: parts[1]! };
}
