import { useState } from 'preact/hooks';
import { api, type Page } from '../lib/api.ts';
import type { FieldDef, TableInfo } from '../lib/table-types.ts';
import type { FieldType } from '../lib/filter-builder.ts';
import { SAMPLE_PUSHES, pushFieldNames } from '../lib/samples.ts';
import { go, href } from '../lib/router.ts';
import { formatDate, t } from '../i18n/index.ts';
import { useAction, useLoad } from '../components/use-load.ts';
import { ErrorBox } from '../components/error-box.tsx';
import { ListTable } from '../components/list-table.tsx';
import { patchAt, removeAt } from '../lib/rows.ts';
import { RemoveRowButton } from '../components/row-controls.tsx';
import { PageHead } from '../components/page-head.tsx';

const TYPES: FieldType[] = ['string', 'integer', 'number', 'boolean', 'date', 'array', 'object'];

/** 数据表: the list, and a new table (fields typed in, or taken from a sample push). */
export function TablesList() {
  const list = useLoad(() => api.get<Page<TableInfo>>('/tables?limit=1000'), []);
  const [name, setName] = useState('');
  const [fields, setFields] = useState<FieldDef[]>([{ name: '', type: 'string' }]);
  const [sample, setSample] = useState('user_consume_card');
  const create = useAction();
  const fromSample = () => {
    // A push's values are strings except CreateTime; `_AppId` says which account pushed.
    const names = [...pushFieldNames(SAMPLE_PUSHES[sample] ?? '<xml/>'), '_AppId'];
    setFields(names.map((n) => ({ name: n, type: n === 'CreateTime' ? 'integer' : 'string' })));
    if (!name) setName(sample);
  };
  const setField = (i: number, patch: Partial<FieldDef>) => setFields(patchAt(fields, i, patch));
  return (
    <section>
      <PageHead title={t('nav.tables')} />
      <ErrorBox error={list.error} />
      <ListTable headers={[t('common.name'), t('tbl.fields'), t('common.updatedAt')]}>
        {list.data?.objects.map((tb) => (
          <tr>
            <td>
              <a href={href('tables', tb.name)}>{tb.name}</a>
            </td>
            <td>{tb.fields.length}</td>
            <td>{formatDate(tb.updated_at)}</td>
          </tr>
        ))}
      </ListTable>
      <form
        class="card"
        onSubmit={(e) => {
          e.preventDefault();
          void create.run(async () => {
            await api.post('/tables', {
              name: name.trim(),
              fields: fields.filter((f) => f.name.trim() !== ''),
            });
            go('tables', name.trim());
          });
        }}
      >
        <h3>{t('tbl.new')}</h3>
        <div class="inline">
          <input
            name="table-name"
            placeholder={t('tbl.name')}
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
          <select
            aria-label={t('fn.samplePush')}
            value={sample}
            onChange={(e) => setSample(e.currentTarget.value)}
          >
            {Object.keys(SAMPLE_PUSHES).map((s) => (
              <option value={s}>{s}</option>
            ))}
          </select>
          <button
            type="button"
            class="secondary"
            data-action="fields-from-sample"
            onClick={fromSample}
          >
            {t('tbl.fromSample')}
          </button>
        </div>
        {fields.map((f, i) => (
          <div class="inline field-row">
            <input
              aria-label={t('tbl.fieldName')}
              placeholder={t('tbl.fieldName')}
              value={f.name}
              onInput={(e) => setField(i, { name: e.currentTarget.value })}
            />
            <select
              aria-label={t('tbl.fieldType')}
              value={f.type}
              onChange={(e) => setField(i, { type: e.currentTarget.value as FieldType })}
            >
              {TYPES.map((ty) => (
                <option value={ty}>{ty}</option>
              ))}
            </select>
            <RemoveRowButton onRemove={() => setFields(removeAt(fields, i))} />
          </div>
        ))}
        <button
          type="button"
          class="small secondary"
          onClick={() => setFields([...fields, { name: '', type: 'string' }])}
        >
          {t('tbl.addField')}
        </button>
        <button
          type="submit"
          data-action="create-table"
          disabled={create.busy || name.trim() === ''}
        >
          {t('tbl.create')}
        </button>
        <ErrorBox error={create.error} />
      </form>
    </section>
  );
}
