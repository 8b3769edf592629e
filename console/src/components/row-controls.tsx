import { t } from '../i18n/index.ts';

/** The × that removes one row of a form's list. */
export function RemoveRowButton(props: { onRemove: () => void }) {
  return (
    <button type="button" class="small secondary" onClick={props.onRemove}>
      ×
    </button>
  );
}

/** 所有 / 任一: whether every row must match or any one. */
export function MatchSelect(props: {
  value: 'all' | 'any';
  onChange: (value: 'all' | 'any') => void;
  name?: string;
}) {
  return (
    <select
      name={props.name}
      aria-label={t('trg.match')}
      value={props.value}
      onChange={(e) => props.onChange(e.currentTarget.value as 'all' | 'any')}
    >
      <option value="all">{t('trg.matchAll')}</option>
      <option value="any">{t('trg.matchAny')}</option>
    </select>
  );
}
