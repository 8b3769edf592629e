import { useState } from 'preact/hooks';
import { api, type Page } from '../lib/api.ts';
import type { Trigger } from '../lib/trigger-types.ts';
import { go } from '../lib/router.ts';
import { formatDate, t } from '../i18n/index.ts';
import { useAction, useLoad } from '../components/use-load.ts';
import { ErrorBox } from '../components/error-box.tsx';

/** 触发器: the list with enable/disable, and a name box to make one. */
export function TriggersList() {
  const list = useLoad(() => api.get<Page<Trigger>>('/triggers?limit=1000'), []);
  const toggle = useAction();
  const [name, setName] = useState('');
  return (
    <section>
      <header class="page-head">
        <h1>{t('nav.triggers')}</h1>
        <form
          class="inline"
          onSubmit={(e) => {
            e.preventDefault();
            if (name.trim()) go('triggers', name.trim());
          }}
        >
          <input
            name="new-trigger"
            placeholder={t('trg.newName')}
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
          <button type="submit">{t('trg.create')}</button>
        </form>
      </header>
      <ErrorBox error={list.error ?? toggle.error} />
      <table class="list">
        <thead>
          <tr>
            <th>{t('common.name')}</th>
            <th>{t('trg.type')}</th>
            <th>{t('trg.actions')}</th>
            <th>{t('trg.enabled')}</th>
            <th>{t('common.updatedAt')}</th>
          </tr>
        </thead>
        <tbody>
          {list.data?.objects.map((tr) => (
            <tr>
              <td>
                <a href={`#/triggers/${encodeURIComponent(tr.name)}`}>{tr.name}</a>
              </td>
              <td>{t(`trgType.${tr.type}`)}</td>
              <td>
                {tr.actions
                  .map((a) =>
                    a.type === 'function' ? `${t('nav.functions')}: ${a.function}` : a.type,
                  )
                  .join(', ')}
              </td>
              <td>
                <input
                  type="checkbox"
                  checked={tr.enabled}
                  aria-label={t('trg.enabled')}
                  onChange={(e) =>
                    void toggle.run(async () => {
                      await api.patch(`/triggers/${encodeURIComponent(tr.name)}`, {
                        enabled: e.currentTarget.checked,
                      });
                      list.reload();
                    })
                  }
                />
              </td>
              <td>{formatDate(tr.updated_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {list.data?.objects.length === 0 ? <p class="muted">{t('trg.empty')}</p> : null}
    </section>
  );
}
