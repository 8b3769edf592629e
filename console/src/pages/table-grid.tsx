import { useState } from 'preact/hooks';
import { api } from '../lib/api.ts';
import type { RecordPage, TableInfo, TableRecord } from '../lib/table-types.ts';
import type { FieldType, Where } from '../lib/filter-builder.ts';
import { formatDate, t } from '../i18n/index.ts';
import { useLoad } from '../components/use-load.ts';
import { ErrorBox } from '../components/error-box.tsx';
import { Pager } from '../components/pager.tsx';
import { FilterBuilder } from '../components/filter-builder.tsx';
import { CellEditor } from '../components/cell-editor.tsx';

const PAGE = 20;

const cellText = (v: unknown) =>
  v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);

/** The data grid: server-side paging and sorting, the filter builder's `where`, columns shown or hidden. */
export function TableGrid({ table }: { table: TableInfo }) {
  const columns = ['id', ...table.fields.map((f) => f.name), 'created_at', 'updated_at'];
  const types: Record<string, FieldType> = Object.fromEntries(
    table.fields.map((f) => [f.name, f.type]),
  );
  const [hidden, setHidden] = useState<Set<string>>(new Set(['updated_at']));
  const [order, setOrder] = useState('-created_at');
  const [offset, setOffset] = useState(0);
  const [where, setWhere] = useState<Where | undefined>(undefined);
  const [editing, setEditing] = useState<{ record: TableRecord; field: string } | null>(null);
  const records = useLoad(() => {
    const q = new URLSearchParams({ limit: String(PAGE), offset: String(offset), order_by: order });
    if (where) q.set('where', JSON.stringify(where));
    return api.get<RecordPage>(`/tables/${encodeURIComponent(table.name)}/records?${q}`);
  }, [table.name, order, offset, JSON.stringify(where)]);
  const sortBy = (c: string) => {
    setOrder(order === c ? `-${c}` : c);
    setOffset(0);
  };
  const shown = columns.filter((c) => !hidden.has(c));
  return (
    <div>
      <FilterBuilder fields={table.fields} onWhere={(w) => (setWhere(w), setOffset(0))} />
      <details class="columns">
        <summary>{t('tbl.columns')}</summary>
        {columns.map((c) => (
          <label class="check">
            <input
              type="checkbox"
              checked={!hidden.has(c)}
              onChange={(e) => {
                const next = new Set(hidden);
                if (e.currentTarget.checked) next.delete(c);
                else next.add(c);
                setHidden(next);
              }}
            />
            {c}
          </label>
        ))}
      </details>
      <ErrorBox error={records.error} />
      <div class="grid-scroll">
        <table class="list grid" data-list="records">
          <thead>
            <tr>
              {shown.map((c) => (
                <th>
                  <button type="button" class="link" onClick={() => sortBy(c)}>
                    {c} {order === c ? '▲' : order === `-${c}` ? '▼' : ''}
                  </button>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {records.data?.objects.map((r) => (
              <tr data-record={r.id}>
                {shown.map((c) => (
                  <td
                    data-field={c}
                    class={types[c] ? 'editable' : ''}
                    title={types[c] ? t('tbl.clickToEdit') : undefined}
                    onClick={() => (types[c] ? setEditing({ record: r, field: c }) : undefined)}
                  >
                    {(c === 'created_at' || c === 'updated_at') && typeof r[c] === 'number'
                      ? formatDate((r[c] as number) * 1000)
                      : cellText(r[c])}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager page={records.data} offset={offset} limit={PAGE} onOffset={setOffset} />
      {editing ? (
        <CellEditor
          table={table.name}
          record={editing.record}
          field={editing.field}
          type={types[editing.field] ?? 'string'}
          onClose={(saved) => {
            setEditing(null);
            if (saved) records.reload();
          }}
        />
      ) : null}
    </div>
  );
}
