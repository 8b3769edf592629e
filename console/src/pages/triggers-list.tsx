import { api, type Page } from '../lib/api.ts';
import type { Trigger } from '../lib/trigger-types.ts';
import { href } from '../lib/router.ts';
import { formatDate, t } from '../i18n/index.ts';
import { useAction, useLoad } from '../components/use-load.ts';
import { ErrorBox } from '../components/error-box.tsx';
import { ListTable } from '../components/list-table.tsx';
import { NewNameForm } from '../components/new-name-form.tsx';
import { PageHead } from '../components/page-head.tsx';

/** 触发器: the list with enable/disable, and a name box to make one. */
export function TriggersList() {
  const list = useLoad(() => api.get<Page<Trigger>>('/triggers?limit=1000'), []);
  const toggle = useAction();
  return (
    <section>
      <PageHead title={t('nav.triggers')}>
        <NewNameForm
          section="triggers"
          inputName="new-trigger"
          placeholder={t('trg.newName')}
          submitLabel={t('trg.create')}
        />
      </PageHead>
      <ErrorBox error={list.error ?? toggle.error} />
      <ListTable
        headers={[
          t('common.name'),
          t('trg.type'),
          t('trg.actions'),
          t('trg.enabled'),
          t('common.updatedAt'),
        ]}
      >
        {list.data?.objects.map((tr) => (
          <tr>
            <td>
              <a href={href('triggers', tr.name)}>{tr.name}</a>
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
      </ListTable>
      {list.data?.objects.length === 0 ? <p class="muted">{t('trg.empty')}</p> : null}
    </section>
  );
}
