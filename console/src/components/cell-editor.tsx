import { useState } from 'preact/hooks';
import { api, ApiError } from '../lib/api.ts';
import type { TableRecord } from '../lib/table-types.ts';
import type { FieldType } from '../lib/filter-builder.ts';
import { t } from '../i18n/index.ts';
import { useAction } from './use-load.ts';
import { ErrorBox } from './error-box.tsx';

/**
 * One cell as JSON: view and edit. The value must be JSON (`"text"`, `42`, `{…}`); the engine
 * then checks it against the field's type, and its refusal is shown on the field.
 */
export function CellEditor(props: {
  table: string;
  record: TableRecord;
  field: string;
  type: FieldType;
  onClose: (saved: boolean) => void;
}) {
  const [text, setText] = useState(JSON.stringify(props.record[props.field] ?? null, null, 2));
  const save = useAction();
  const submit = () =>
    save.run(async () => {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (err) {
        throw new ApiError(400, 'E_CONSOLE_BAD_JSON', (err as Error).message, {
          field: props.field,
        });
      }
      await api.put(`/tables/${encodeURIComponent(props.table)}/records/${props.record.id}`, {
        $set: { [props.field]: value },
      });
      props.onClose(true);
    });
  return (
    <div class="modal" role="dialog" aria-label={t('tbl.editCell')}>
      <div class="card">
        <h3>
          {props.record.id} · <code>{props.field}</code> ({props.type})
        </h3>
        <textarea
          class={`json ${save.error ? 'bad' : ''}`}
          rows={10}
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
        />
        <ErrorBox error={save.error} />
        <div class="inline">
          <button type="button" onClick={() => void submit()}>
            {t('common.save')}
          </button>
          <button type="button" class="secondary" onClick={() => props.onClose(false)}>
            {t('common.cancel')}
          </button>
        </div>
      </div>
    </div>
  );
}
