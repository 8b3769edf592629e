import { useState } from 'preact/hooks';
import { api } from '../lib/api.ts';
import type { Metrics } from '../lib/metrics-types.ts';
import { formatNumber, t } from '../i18n/index.ts';
import { useLoad } from '../components/use-load.ts';
import { ErrorBox } from '../components/error-box.tsx';
import { Chart } from '../components/chart.tsx';

function Stat({ label, value, id }: { label: string; value: string; id: string }) {
  return (
    <div class="stat" data-stat={id}>
      <div class="value">{value}</div>
      <div class="label">{label}</div>
    </div>
  );
}

/** 概览: pushes, jobs, run times, dead letters, queue and executors over the last hour or day. */
export function Dashboard() {
  const [window, setWindow] = useState<'hour' | 'day'>('hour');
  const { data, error, reload } = useLoad(
    () => api.get<Metrics>(`/metrics?window=${window}`),
    [window],
  );
  return (
    <section>
      <header class="page-head">
        <h1>{t('nav.dashboard')}</h1>
        <div class="tabs">
          <button
            type="button"
            class={window === 'hour' ? 'on' : ''}
            onClick={() => setWindow('hour')}
          >
            {t('dashboard.lastHour')}
          </button>
          <button
            type="button"
            class={window === 'day' ? 'on' : ''}
            onClick={() => setWindow('day')}
          >
            {t('dashboard.lastDay')}
          </button>
          <button type="button" onClick={reload}>
            {t('common.refresh')}
          </button>
        </div>
      </header>
      <ErrorBox error={error} />
      {data ? (
        <>
          <div class="stats">
            <Stat
              id="accepted"
              label={t('dashboard.acceptedPerMinute')}
              value={formatNumber(data.pushesPerMinute.accepted, 2)}
            />
            <Stat
              id="deduplicated"
              label={t('dashboard.dedupPerMinute')}
              value={formatNumber(data.pushesPerMinute.deduplicated, 2)}
            />
            <Stat
              id="refused"
              label={t('dashboard.refusedPerMinute')}
              value={formatNumber(data.pushesPerMinute.refused, 2)}
            />
            <Stat
              id="p50"
              label={t('dashboard.p50')}
              value={`${formatNumber(data.runTimeMs.p50, 1)} ms`}
            />
            <Stat
              id="p99"
              label={t('dashboard.p99')}
              value={`${formatNumber(data.runTimeMs.p99, 1)} ms`}
            />
            <Stat
              id="dead"
              label={t('dashboard.deadLetters')}
              value={formatNumber(data.deadLetters)}
            />
            <Stat
              id="queue"
              label={t('dashboard.queueDepth')}
              value={formatNumber(data.queueDepth)}
            />
            <Stat
              id="restarts"
              label={t('dashboard.restarts')}
              value={formatNumber(data.executorRestarts)}
            />
          </div>
          <div class="grid2">
            <div class="card">
              <Chart
                title={t('dashboard.pushes')}
                t={data.series.t}
                series={[
                  {
                    label: t('dashboard.accepted'),
                    values: data.series.accepted,
                    color: '#2f7d32',
                  },
                  {
                    label: t('dashboard.deduplicated'),
                    values: data.series.deduplicated,
                    color: '#1565c0',
                  },
                  { label: t('dashboard.refused'), values: data.series.refused, color: '#c62828' },
                ]}
              />
            </div>
            <div class="card">
              <Chart
                title={t('dashboard.jobs')}
                t={data.series.t}
                series={[
                  { label: t('dashboard.jobsAll'), values: data.series.jobs, color: '#2f7d32' },
                  {
                    label: t('dashboard.jobsFailed'),
                    values: data.series.failedJobs,
                    color: '#c62828',
                  },
                ]}
              />
            </div>
          </div>
          <div class="grid2">
            <div class="card">
              <h3>{t('dashboard.jobsByStatus')}</h3>
              <table>
                <tbody>
                  {Object.entries(data.jobsByStatus).map(([status, n]) => (
                    <tr>
                      <td>{status}</td>
                      <td class="num">{formatNumber(n)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <div class="card">
              <h3>{t('dashboard.quarantined')}</h3>
              {data.quarantined.length === 0 ? (
                <p class="muted">{t('common.none')}</p>
              ) : (
                <ul>
                  {data.quarantined.map((name) => (
                    <li>
                      <a href={`#/functions/${encodeURIComponent(name)}`}>{name}</a>
                    </li>
                  ))}
                </ul>
              )}
            </div>
          </div>
        </>
      ) : null}
    </section>
  );
}
