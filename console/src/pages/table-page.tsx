import { useState } from 'preact/hooks';
import { api } from '../lib/api.ts';
import type { FieldDef, TableInfo } from '../lib/table-types.ts';
import type { FieldType } from '../lib/filter-builder.ts';
import { t } from '../i18n/index.ts';
import { useAction, useLoad } from '../components/use-load.ts';
import { ErrorBox } from '../components/error-box.tsx';
import { ListTable } from '../components/list-table.tsx';
import { TableGrid } from './table-grid.tsx';
import { TableTransfer } from './table-transfer.tsx';
import { PageHead } from '../components/page-head.tsx';
import { Tabs } from '../components/tabs.tsx';

const TYPES: FieldType[] = ['string', 'integer', 'number', 'boolean', 'date', 'array', 'object'];

/** A table: its data grid, schema (add fields), export and import. */
export function TablePage({ name }: { name: string }) {
  const [tab, setTab] = useState<'data' | 'schema' | 'transfer'>('data');
  const table = useLoad(() => api.get<TableInfo>(`/tables/${encodeURIComponent(name)}`), [name]);
  return (
    <section>
      <PageHead title={name} parent={{ section: 'tables', label: t('nav.tables') }} />
      <ErrorBox error={table.error} />
      <Tabs
        tabs={[
          ['data', 'tbl.tabData'],
          ['schema', 'tbl.tabSchema'],
          ['transfer', 'tbl.tabTransfer'],
        ]}
        value={tab}
        onChange={setTab}
      />
      {table.data ? (
        tab === 'data' ? (
          <TableGrid table={table.data} />
        ) : tab === 'schema' ? (
          <Schema table={table.data} onChanged={table.reload} />
        ) : (
          <TableTransfer table={table.data} />
        )
      ) : null}
    </section>
  );
}

function Schema({ table, onChanged }: { table: TableInfo; onChanged: () => void }) {
  const [field, setField] = useState<FieldDef>({ name: '', type: 'string' });
  const add = useAction();
  return (
    <div class="card">
      <ListTable
        headers={[
          t('tbl.fieldName'),
          t('tbl.fieldType'),
          t('tbl.required'),
          t('tbl.default'),
          t('tbl.index'),
        ]}
      >
        {table.fields.map((f) => (
          <tr>
            <td>
              <code>{f.name}</code>
            </td>
            <td>
              {f.type}
              {f.items ? `<${f.items}>` : ''}
              {f.maxLength ? ` ≤ ${f.maxLength}` : ''}
            </td>
            <td>{f.required ? '✓' : ''}</td>
            <td>{f.default === undefined ? '' : JSON.stringify(f.default)}</td>
            <td>{f.index ? '✓' : ''}</td>
          </tr>
        ))}
      </ListTable>
      <form
        class="inline"
        onSubmit={(e) => {
          e.preventDefault();
          void add.run(async () => {
            await api.post(`/tables/${encodeURIComponent(table.name)}/fields`, { fields: [field] });
            setField({ name: '', type: 'string' });
            onChanged();
          });
        }}
      >
        <input
          placeholder={t('tbl.fieldName')}
          value={field.name}
          onInput={(e) => setField({ ...field, name: e.currentTarget.value })}
        />
        <select
          value={field.type}
          onChange={(e) => setField({ ...field, type: e.currentTarget.value as FieldType })}
        >
          {TYPES.map((ty) => (
            <option value={ty}>{ty}</option>
          ))}
        </select>
        <button type="submit">{t('tbl.addField')}</button>
      </form>
      <ErrorBox error={add.error} />
    </div>
  );
}
