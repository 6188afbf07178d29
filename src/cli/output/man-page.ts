import type { Command } from 'commander';

// man(7) pages drawn from the CLI's own command definitions: berth(1) and berth-<command>(1).

/** Escapes text for roff: backslashes, and a leading dot or quote that would read as a request. */
export function roff(text: string): string {
  return text.replace(/\\/g, '\\e').replace(/-/g, '\\-').replace(/^([.'])/gm, '\\&$1');
}

export interface ManSection {
  title: string;
  body: string;
}

export function manPage(name: string, section: string, summary: string, sections: ManSection[], date: string): string {
  const head = [`.TH "${name.toUpperCase()}" "${section}" "${date}" "berth" "berth manual"`, '.SH NAME', `${roff(name)} \\- ${roff(summary)}`];
  return [...head, ...sections.flatMap((s) => [`.SH ${s.title}`, s.body])].join('\n') + '\n';
}

/** A definition list: `.TP` per term. */
export function termList(items: [string, string][]): string {
  return items.map(([term, text]) => `.TP\n\\fB${roff(term)}\\fR\n${roff(text)}`).join('\n');
}

function isHidden(c: Command): boolean {
  return (c as unknown as { _hidden?: boolean })._hidden === true;
}

function pathOf(c: Command): string[] {
  const names: string[] = [];
  for (let x: Command | null = c; x; x = x.parent) names.unshift(x.name());
  return names;
}

function optionItems(c: Command): [string, string][] {
  return c.options
    .filter((o) => !o.hidden && !o.negate)
    .map((o) => {
      const def = o.defaultValue !== undefined && o.defaultValue !== false ? ` (default: ${JSON.stringify(o.defaultValue)})` : '';
      return [o.flags, `${o.description}${def}`] as [string, string];
    });
}

/** One page per command, berth(1) for the root, keyed by file name (berth-container-ls.1). */
export function commandPages(program: Command, date: string): Map<string, string> {
  const pages = new Map<string, string>();
  const visit = (c: Command) => {
    const path = pathOf(c);
    const name = path.join('-');
    const subs = c.commands.filter((s) => !isHidden(s));
    const sections: ManSection[] = [
      { title: 'SYNOPSIS', body: `\\fB${roff(path.join(' '))}\\fR ${roff(c.usage())}` },
      { title: 'DESCRIPTION', body: roff(c.description() || c.summary() || '') },
    ];
    const opts = optionItems(c);
    if (opts.length) sections.push({ title: 'OPTIONS', body: termList(opts) });
    if (subs.length) {
      sections.push({ title: 'COMMANDS', body: termList(subs.map((s) => [s.name(), `${s.description()} See ${path.join('-')}-${s.name()}(1).`])) });
    }
    if (c.parent) sections.push({ title: 'SEE ALSO', body: `${roff(pathOf(c.parent).join('-'))}(1), berth(1)` });
    else sections.push({ title: 'SEE ALSO', body: 'berthd(8), daemon.json(5)' });
    pages.set(`${name}.1`, manPage(name, '1', c.description() || name, sections, date));
    for (const s of subs) visit(s);
  };
  visit(program);
  return pages;
}
