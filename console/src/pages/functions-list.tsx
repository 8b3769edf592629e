import { api, type Page } from '../lib/api.ts';
import type { FunctionInfo } from '../lib/function-types.ts';
import { href } from '../lib/router.ts';
import { formatDate, t } from '../i18n/index.ts';
import { useLoad } from '../components/use-load.ts';
import { ErrorBox } from '../components/error-box.tsx';
import { ListTable } from '../components/list-table.tsx';
import { NewNameForm } from '../components/new-name-form.tsx';
import { PageHead } from '../components/page-head.tsx';

/** 云函数: the list, and a name box to start a new one. */
export function FunctionsList() {
  const list = useLoad(() => api.get<Page<FunctionInfo>>('/functions?limit=1000'), []);
  return (
    <section>
      <PageHead title={t('nav.functions')}>
        <NewNameForm
          section="functions"
          inputName="new-function"
          placeholder={t('fn.newName')}
          submitLabel={t('fn.create')}
        />
      </PageHead>
      <ErrorBox error={list.error} />
      <ListTable
        headers={[t('common.name'), t('fn.version'), t('fn.limits'), t('common.updatedAt')]}
      >
        {list.data?.objects.map((f) => (
          <tr>
            <td>
              <a href={href('functions', f.name)}>{f.name}</a>
            </td>
            <td>v{f.version}</td>
            <td>
              {f.timeoutMs} ms · {f.memoryMb} MB
            </td>
            <td>{formatDate(f.updated_at)}</td>
          </tr>
        ))}
      </ListTable>
      {list.data?.objects.length === 0 ? <p class="muted">{t('fn.empty')}</p> : null}
    </section>
  );
}
