// Go's text/tabwriter, as docker/cli configures it: tabwriter.NewWriter(out, 10, 1, 3, ' ', 0).
// Tab-terminated cells are aligned in column blocks (runs of adjacent lines that have that
// column); a column is max(minwidth, widest cell + padding) wide; the text after a line's last tab
// is not a cell and is never padded.

export interface TabwriterOptions {
  minWidth: number;
  padding: number;
  padChar: string;
}

/** docker/cli's formatter.Context settings. */
export const DOCKER_TABLE: TabwriterOptions = { minWidth: 10, padding: 3, padChar: ' ' };

/** Aligns `text` (lines of tab-separated cells) the way Go's tabwriter would print it. */
export function alignColumns(text: string, options: TabwriterOptions = DOCKER_TABLE): string {
  const endsWithNewline = text.endsWith('\n');
  const lines = (endsWithNewline ? text.slice(0, -1) : text).split('\n').map((l) => l.split('\t'));
  const out: string[] = [];
  const widths: number[] = [];
  formatBlock(lines, 0, lines.length, widths, out, options);
  return out.join('\n') + (endsWithNewline ? '\n' : '');
}

function cellWidth(cell: string): number {
  // tabwriter counts runes (utf8.RuneCount), not display columns.
  let n = 0;
  for (const _ of cell) n++;
  return n;
}

/** Lays out lines[from, to) given the widths of the columns to the left (Go's Writer.format). */
function formatBlock(lines: string[][], from: number, to: number, widths: number[], out: string[], o: TabwriterOptions): void {
  const column = widths.length;
  let start = from;
  for (let i = from; i < to; i++) {
    // Lines whose cells stop before this column are written with the widths known so far.
    if (column >= lines[i]!.length - 1) continue;
    writeLines(lines, start, i, widths, out, o);
    start = i;
    let width = o.minWidth;
    for (; i < to && column < lines[i]!.length - 1; i++) {
      width = Math.max(width, cellWidth(lines[i]![column]!) + o.padding);
    }
    widths.push(width);
    formatBlock(lines, start, i, widths, out, o);
    widths.pop();
    start = i;
    i--;
  }
  writeLines(lines, start, to, widths, out, o);
}

function writeLines(lines: string[][], from: number, to: number, widths: number[], out: string[], o: TabwriterOptions): void {
  for (let i = from; i < to; i++) {
    const cells = lines[i]!;
    let line = '';
    cells.forEach((cell, j) => {
      line += cell;
      if (j < cells.length - 1 && j < widths.length) line += o.padChar.repeat(Math.max(0, widths[j]! - cellWidth(cell)));
    });
    out.push(line);
  }
}
