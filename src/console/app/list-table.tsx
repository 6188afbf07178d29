import { Fragment, type ComponentChildren } from 'preact';

// The one table every page lists things in: the columns' headers, a row a thing with each cell
// labelled for the phone layout (styles.css shows data-label beside the value), and what stands
// while the rows load or when there are none.

export interface Column<T> {
  /** The header and the cell's data-label; empty for the unlabelled action column. */
  label: string;
  cell: (row: T) => ComponentChildren;
}

interface ListTableProps<T> {
  columns: Column<T>[];
  /** undefined while loading: "Loading…" stands in place of the table. */
  rows: readonly T[] | undefined;
  /** Attributes of a row's <tr> (data-name, data-revision: what the tests find it by). */
  rowAttrs?: (row: T) => Record<string, string | number>;
  rowKey?: (row: T) => string | number;
  /** A row of its own under a row, spanning every column (the revisions' logs), when it gives one. */
  detail?: (row: T) => ComponentChildren;
  /** Said under the table when there are no rows. */
  empty?: string;
  testId?: string;
}

export function ListTable<T>({ columns, rows, rowAttrs, rowKey, detail, empty, testId }: ListTableProps<T>) {
  if (rows === undefined) return <p class="muted">Loading…</p>;
  return (
    <>
      <table class="list" data-testid={testId}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th>{c.label || null}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const more = detail?.(r);
            return (
              <Fragment key={rowKey?.(r)}>
                <tr {...rowAttrs?.(r)}>
                  {columns.map((c) => (
                    <td data-label={c.label || undefined}>{c.cell(r)}</td>
                  ))}
                </tr>
                {more && (
                  <tr>
                    <td colSpan={columns.length}>{more}</td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
      {empty && !rows.length && <p class="muted">{empty}</p>}
    </>
  );
}

/** The action column's button; only an admin session sees one. */
export function RemoveButton({ show = true, onRemove }: { show?: boolean; onRemove: () => void }) {
  if (!show) return null;
  return (
    <button class="link danger" onClick={onRemove}>
      Remove
    </button>
  );
}
