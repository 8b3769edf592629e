import { api } from '../lib/api.ts';
import type { Job } from '../lib/function-types.ts';
import { formatDate, formatNumber, t } from '../i18n/index.ts';
import { useLoad } from '../components/use-load.ts';
import { ErrorBox } from '../components/error-box.tsx';
import { RunOutput } from '../components/run-output.tsx';

/** One job: its event, result or error with stack, and log. */
export function JobPage({ id }: { id: string }) {
  const job = useLoad(() => api.get<Job>(`/jobs/${encodeURIComponent(id)}`), [id]);
  const j = job.data;
  return (
    <section>
      <ErrorBox error={job.error} />
      {j ? (
        <>
          <header class="page-head">
            <h1>
              <a href={`#/functions/${encodeURIComponent(j.function)}`}>{j.function}</a> /{' '}
              {t('job.title')} {j.id}
            </h1>
          </header>
          <p class="muted">
            v{j.version} · {j.source} · {formatDate(j.created_at)} ·{' '}
            {formatNumber(j.duration_ms, 1)} ms
            {j.trigger ? (
              <>
                {' · '}
                <a href={`#/triggers/${encodeURIComponent(j.trigger)}`}>{j.trigger}</a>
              </>
            ) : null}
          </p>
          <div class="grid2">
            <div class="card">
              <h3>{t('job.event')}</h3>
              <pre>{JSON.stringify(j.data, null, 2)}</pre>
            </div>
            <div class="card">
              <RunOutput status={j.status} result={j.result} error={j.error} log={j.log} />
            </div>
          </div>
        </>
      ) : null}
    </section>
  );
}
