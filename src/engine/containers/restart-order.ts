/** What ties a container to others at start: its links and a `container:` network mode. */
export interface StartDependent {
  Id: string;
  Name: string;
  HostConfig: { Links?: string[] | null; NetworkMode?: string };
}

/** The containers `c` needs running first, as names or id (prefixes) the caller resolves. */
export function startDependencies(c: StartDependent): string[] {
  const out: string[] = [];
  // Stored links read "/target:/me/alias".
  for (const l of c.HostConfig.Links ?? []) out.push(l.slice(0, l.indexOf(':') > 0 ? l.indexOf(':') : undefined));
  const mode = c.HostConfig.NetworkMode ?? '';
  if (mode.startsWith('container:')) out.push(mode.slice('container:'.length));
  return out;
}

/**
 * Orders containers so each comes after the ones it depends on (as dockerd's restore does for
 * links and shared network namespaces); a cycle or a dependency outside the set is not waited for.
 */
export function startOrder<T extends StartDependent>(cs: T[]): T[] {
  const find = (ref: string): T | undefined => {
    const name = ref.startsWith('/') ? ref : `/${ref}`;
    return cs.find((c) => c.Id === ref || c.Name === name) ?? (ref.length >= 3 ? cs.find((c) => c.Id.startsWith(ref)) : undefined);
  };
  const out: T[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (c: T): void => {
    if (state.has(c.Id)) return;
    state.set(c.Id, 'visiting');
    for (const ref of startDependencies(c)) {
      const dep = find(ref);
      if (dep && state.get(dep.Id) !== 'visiting') visit(dep);
    }
    state.set(c.Id, 'done');
    out.push(c);
  };
  for (const c of cs) visit(c);
  return out;
}
