import { useState } from 'preact/hooks';
import { api, type Page } from '../lib/api.ts';
import type { FunctionInfo } from '../lib/function-types.ts';
import { go } from '../lib/router.ts';
import { formatDate, t } from '../i18n/index.ts';
import { useLoad } from '../components/use-load.ts';
import { ErrorBox } from '../components/error-box.tsx';

/** 云函数: the list, and a name box to start a new one. */
export function FunctionsList() {
  const list = useLoad(() => api.get<Page<FunctionInfo>>('/functions?limit=1000'), []);
  const [name, setName] = useState('');
  return (
    <section>
      <header class="page-head">
        <h1>{t('nav.functions')}</h1>
        <form
          class="inline"
          onSubmit={(e) => {
            e.preventDefault();
            if (name.trim()) go('functions', name.trim());
          }}
        >
          <input
            name="new-function"
            placeholder={t('fn.newName')}
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
          <button type="submit">{t('fn.create')}</button>
        </form>
      </header>
      <ErrorBox error={list.error} />
      <table class="list">
        <thead>
          <tr>
            <th>{t('common.name')}</th>
            <th>{t('fn.version')}</th>
            <th>{t('fn.limits')}</th>
            <th>{t('common.updatedAt')}</th>
          </tr>
        </thead>
        <tbody>
          {list.data?.objects.map((f) => (
            <tr>
              <td>
                <a href={`#/functions/${encodeURIComponent(f.name)}`}>{f.name}</a>
              </td>
              <td>v{f.version}</td>
              <td>
                {f.timeoutMs} ms · {f.memoryMb} MB
              </td>
              <td>{formatDate(f.updated_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {list.data?.objects.length === 0 ? <p class="muted">{t('fn.empty')}</p> : null}
    </section>
  );
}
