import { useState } from 'preact/hooks';
import { api, type Page } from '../lib/api.ts';
import type { FunctionInfo, VersionInfo } from '../lib/function-types.ts';
import { lineDiff } from '../lib/line-diff.ts';
import { formatDate, t } from '../i18n/index.ts';
import { useAction, useLoad } from '../components/use-load.ts';
import { ErrorBox } from '../components/error-box.tsx';
import { ListTable } from '../components/list-table.tsx';

const codeOf = async (name: string, version: number) =>
  (await api.get<VersionInfo>(`/functions/${encodeURIComponent(name)}/versions/${version}`)).code ??
  '';

/** Versions: each against the one before it (a diff of the deployed code), and rollback. */
export function FunctionVersionsTab(props: {
  name: string;
  info: FunctionInfo | null;
  onChanged: () => void;
}) {
  const { name, info } = props;
  const versions = useLoad(
    () => api.get<Page<VersionInfo>>(`/functions/${encodeURIComponent(name)}/versions`),
    [name, info?.version],
  );
  const [shown, setShown] = useState<number | null>(null);
  const diff = useLoad(async () => {
    if (shown === null) return null;
    const [before, after] = await Promise.all([
      shown > 1 ? codeOf(name, shown - 1) : Promise.resolve(''),
      codeOf(name, shown),
    ]);
    return lineDiff(before, after);
  }, [name, shown]);
  const rollback = useAction();
  if (!info) return <p class="muted">{t('fn.notDeployed')}</p>;
  return (
    <div>
      <ErrorBox error={versions.error ?? rollback.error} />
      <ListTable headers={[t('fn.version'), t('common.createdAt'), t('fn.limits'), 'sha256', '']}>
        {versions.data?.objects
          .slice()
          .reverse()
          .map((v) => (
            <tr data-version={v.version}>
              <td>
                v{v.version}{' '}
                {v.version === info.version ? <span class="badge">{t('fn.active')}</span> : null}
              </td>
              <td>{formatDate(v.created_at)}</td>
              <td>
                {v.timeoutMs} ms · {v.memoryMb} MB
              </td>
              <td>
                <code>{v.sha256.slice(0, 12)}</code>
              </td>
              <td>
                <button type="button" class="small secondary" onClick={() => setShown(v.version)}>
                  {t('fn.diff')}
                </button>
                {v.version !== info.version ? (
                  <button
                    type="button"
                    class="small"
                    data-action="rollback"
                    onClick={() =>
                      void rollback.run(async () => {
                        await api.post(`/functions/${encodeURIComponent(name)}/rollback`, {
                          version: v.version,
                        });
                        props.onChanged();
                      })
                    }
                  >
                    {t('fn.rollback')}
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
      </ListTable>
      {shown !== null ? (
        <div class="card">
          <h3>{t('fn.diffTitle', { before: shown - 1, after: shown })}</h3>
          <ErrorBox error={diff.error} />
          <pre class="diff">
            {diff.data?.map((line) => (
              <div class={line.kind}>
                {line.kind === 'add' ? '+ ' : line.kind === 'del' ? '- ' : '  '}
                {line.text}
              </div>
            ))}
          </pre>
        </div>
      ) : null}
    </div>
  );
}
