import type { LogLine } from '../lib/function-types.ts';
import { formatDate, t } from '../i18n/index.ts';

/** A run's result or error (with stack) and its log lines. */
export function RunOutput(props: {
  status: string;
  result?: unknown;
  error?: { name?: string; message?: string; stack?: string; code?: string } | null | undefined;
  log: LogLine[];
}) {
  return (
    <div class="run-output" data-status={props.status}>
      <div>
        {t('job.status')}: <span class={`status ${props.status}`}>{props.status}</span>
      </div>
      {props.error ? (
        <pre class="stack">
          {props.error.stack ?? `${props.error.name ?? 'Error'}: ${props.error.message ?? ''}`}
        </pre>
      ) : (
        <>
          <div>{t('job.result')}:</div>
          <pre class="result">{JSON.stringify(props.result ?? null, null, 2)}</pre>
        </>
      )}
      <div>{t('job.log')}:</div>
      <pre class="log">
        {props.log.length === 0
          ? t('common.none')
          : props.log.map((l) => `${formatDate(l.at)} [${l.level}] ${l.message}`).join('\n')}
      </pre>
    </div>
  );
}
