import { t } from '../i18n/index.ts';

/** The "since" filter of a log list: a local date and time, '' for no lower bound. */
export function SinceInput(props: { value: string; onChange: (value: string) => void }) {
  return (
    <label>
      {t('common.since')}{' '}
      <input
        type="datetime-local"
        value={props.value}
        onInput={(e) => props.onChange(e.currentTarget.value)}
      />
    </label>
  );
}
