import { t, type MessageKey } from '../i18n/index.ts';

/** A page's tab bar: one button a tab (`data-tab` its id), the current one marked `on`. */
export function Tabs<Id extends string>(props: {
  tabs: ReadonlyArray<readonly [Id, MessageKey]>;
  value: Id;
  onChange: (id: Id) => void;
}) {
  return (
    <div class="tabs">
      {props.tabs.map(([id, key]) => (
        <button
          type="button"
          data-tab={id}
          class={props.value === id ? 'on' : ''}
          onClick={() => props.onChange(id)}
        >
          {t(key)}
        </button>
      ))}
    </div>
  );
}
