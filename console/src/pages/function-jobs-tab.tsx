import { useState } from 'preact/hooks';
import { api, type Page } from '../lib/api.ts';
import type { Job } from '../lib/function-types.ts';
import { formatDate, formatNumber, t } from '../i18n/index.ts';
import { useLoad } from '../components/use-load.ts';
import { ErrorBox } from '../components/error-box.tsx';
import { ListTable } from '../components/list-table.tsx';
import { Pager } from '../components/pager.tsx';
import { SinceInput } from '../components/since-input.tsx';

const STATUSES = [
  '',
  'fulfilled',
  'execution_failed',
  'deadline_exceeded',
  'execution_rejected',
  'executing',
];
// Trigger runs have the source `trigger:<name>`.
const SOURCES = ['invoke', 'cloud_function', 'timer', 'webhook', 'table'];
const PAGE = 20;

/** 任务日志: the function's jobs, filtered by status, source and time, newest first. */
export function FunctionJobsTab({ name }: { name: string }) {
  const [status, setStatus] = useState('');
  const [source, setSource] = useState('');
  const [since, setSince] = useState('');
  const [offset, setOffset] = useState(0);
  const jobs = useLoad(() => {
    const q = new URLSearchParams({ limit: String(PAGE), offset: String(offset) });
    if (status) q.set('status', status);
    if (source) q.set('source', source);
    return api.get<Page<Job>>(`/functions/${encodeURIComponent(name)}/jobs?${q}`);
  }, [name, status, source, offset]);
  // The jobs API filters by status and source; the time filter applies to the page shown.
  const sinceMs = since ? Date.parse(since) : NaN;
  const shown =
    jobs.data?.objects.filter(
      (j) => Number.isNaN(sinceMs) || Date.parse(j.created_at) >= sinceMs,
    ) ?? [];
  return (
    <div>
      <div class="toolbar">
        <select
          aria-label={t('job.status')}
          value={status}
          onChange={(e) => (setStatus(e.currentTarget.value), setOffset(0))}
        >
          {STATUSES.map((s) => (
            <option value={s}>{s || t('job.anyStatus')}</option>
          ))}
        </select>
        <input
          list="job-sources"
          aria-label={t('job.source')}
          placeholder={t('job.anySource')}
          value={source}
          onChange={(e) => (setSource(e.currentTarget.value.trim()), setOffset(0))}
        />
        <datalist id="job-sources">
          {SOURCES.map((s) => (
            <option value={s} />
          ))}
        </datalist>
        <SinceInput value={since} onChange={setSince} />
        <button type="button" onClick={jobs.reload}>
          {t('common.refresh')}
        </button>
      </div>
      <ErrorBox error={jobs.error} />
      <ListTable
        list="jobs"
        headers={[
          t('common.createdAt'),
          t('job.status'),
          t('job.source'),
          t('fn.version'),
          t('job.duration'),
          t('nav.triggers'),
        ]}
      >
        {shown.map((j) => (
          <tr>
            <td>
              <a href={`#/jobs/${j.id}`}>{formatDate(j.created_at)}</a>
            </td>
            <td>
              <span class={`status ${j.status}`}>{j.status}</span>
            </td>
            <td>{j.source}</td>
            <td>v{j.version}</td>
            <td class="num">{formatNumber(j.duration_ms, 1)} ms</td>
            <td>
              {j.trigger ? (
                <a href={`#/triggers/${encodeURIComponent(j.trigger)}`}>{j.trigger}</a>
              ) : (
                '—'
              )}
            </td>
          </tr>
        ))}
      </ListTable>
      <Pager page={jobs.data} offset={offset} limit={PAGE} onOffset={setOffset} />
    </div>
  );
}
