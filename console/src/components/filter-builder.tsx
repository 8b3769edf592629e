import { useState } from 'preact/hooks';
import {
  buildWhere,
  FilterInputError,
  NO_VALUE_OPS,
  opsFor,
  type FilterOp,
  type FilterRow,
  type Where,
} from '../lib/filter-builder.ts';
import type { FieldDef } from '../lib/table-types.ts';
import { t, type MessageKey } from '../i18n/index.ts';
import { patchAt, removeAt } from '../lib/rows.ts';
import { MatchSelect, RemoveRowButton } from './row-controls.tsx';

/** Rows of field / operator / value, 所有 or 任一, producing the `where` of the records API. */
export function FilterBuilder({
  fields,
  onWhere,
}: {
  fields: FieldDef[];
  onWhere: (where: Where | undefined) => void;
}) {
  const [rows, setRows] = useState<FilterRow[]>([]);
  const [match, setMatch] = useState<'all' | 'any'>('all');
  const [problem, setProblem] = useState<{ index: number; text: string } | null>(null);
  const [where, setWhere] = useState<Where | undefined>(undefined);
  const types = Object.fromEntries(fields.map((f) => [f.name, f.type]));
  const names = ['id', ...fields.map((f) => f.name), 'created_at', 'updated_at'];
  const setRow = (i: number, patch: Partial<FilterRow>) => setRows(patchAt(rows, i, patch));
  const apply = () => {
    try {
      const w = buildWhere(rows, match, types);
      setProblem(null);
      setWhere(w);
      onWhere(w);
    } catch (err) {
      if (!(err instanceof FilterInputError)) throw err;
      setProblem({ index: err.index, text: `${t(err.reason as MessageKey)} (${err.message})` });
    }
  };
  return (
    <div class="card filter-builder">
      <div class="inline">
        <strong>{t('tbl.filter')}</strong>
        <MatchSelect value={match} onChange={setMatch} />
      </div>
      {rows.map((r, i) => (
        <div class={`inline ${problem?.index === i ? 'bad' : ''}`} data-filter-row={i}>
          <input
            list="filter-fields"
            aria-label={t('trg.field')}
            value={r.field}
            onInput={(e) => setRow(i, { field: e.currentTarget.value })}
          />
          <select
            aria-label={t('trg.op')}
            value={r.op}
            onChange={(e) => setRow(i, { op: e.currentTarget.value as FilterOp })}
          >
            {opsFor(r.field.includes('.') ? undefined : types[r.field]).map((op) => (
              <option value={op}>{t(`filterOp.${op}`)}</option>
            ))}
          </select>
          {NO_VALUE_OPS.has(r.op) ? null : (
            <input
              aria-label={t('trg.value')}
              value={r.value}
              onInput={(e) => setRow(i, { value: e.currentTarget.value })}
            />
          )}
          <RemoveRowButton onRemove={() => setRows(removeAt(rows, i))} />
        </div>
      ))}
      <datalist id="filter-fields">
        {names.map((n) => (
          <option value={n} />
        ))}
      </datalist>
      {problem ? <p class="error">{problem.text}</p> : null}
      <div class="inline">
        <button
          type="button"
          class="small secondary"
          data-action="add-filter"
          onClick={() => setRows([...rows, { field: names[1] ?? 'id', op: 'eq', value: '' }])}
        >
          {t('tbl.addCondition')}
        </button>
        <button type="button" class="small" data-action="apply-filter" onClick={apply}>
          {t('tbl.applyFilter')}
        </button>
        {where ? <code class="where">where={JSON.stringify(where)}</code> : null}
      </div>
    </div>
  );
}
