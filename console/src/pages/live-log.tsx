import { useEffect, useRef, useState } from 'preact/hooks';
import { formatDate, t } from '../i18n/index.ts';

/** One line of GET /api/v1/events (engine/http/admin/activity.ts). */
interface Activity {
  seq: number;
  kind: 'push' | 'job';
  at: number;
  appId?: string;
  outcome?: 'accepted' | 'deduplicated' | 'refused';
  code?: string;
  function?: string;
  status?: string;
  jobId?: string;
  trigger?: string | null;
  triggerLogId?: string | null;
  durationMs?: number;
  source?: string;
}

const KEEP = 500;

/** The live log: server-sent events, pausable, filtered, each line linking to its job or trigger. */
export function LiveLog() {
  const [lines, setLines] = useState<Activity[]>([]);
  const [paused, setPaused] = useState(false);
  const [kind, setKind] = useState('');
  const [text, setText] = useState('');
  const [connected, setConnected] = useState(false);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;
  useEffect(() => {
    const source = new EventSource('/api/v1/events');
    source.onopen = () => setConnected(true);
    source.onerror = () => setConnected(false);
    source.addEventListener('activity', (e) => {
      if (pausedRef.current) return;
      const item = JSON.parse((e as MessageEvent<string>).data) as Activity;
      setLines((old) => [item, ...old].slice(0, KEEP));
    });
    return () => source.close();
  }, []);
  const shown = lines.filter(
    (l) => (!kind || l.kind === kind) && (!text || JSON.stringify(l).includes(text)),
  );
  return (
    <section>
      <header class="page-head">
        <h1>{t('nav.live')}</h1>
        <span class={`badge ${connected ? '' : 'warn'}`} data-live={connected ? 'on' : 'off'}>
          {connected ? t('live.connected') : t('live.disconnected')}
        </span>
      </header>
      <div class="toolbar">
        <button type="button" data-action="pause" onClick={() => setPaused(!paused)}>
          {paused ? t('live.resume') : t('live.pause')}
        </button>
        <select
          aria-label={t('live.kind')}
          value={kind}
          onChange={(e) => setKind(e.currentTarget.value)}
        >
          <option value="">{t('live.allKinds')}</option>
          <option value="push">{t('live.pushes')}</option>
          <option value="job">{t('live.jobs')}</option>
        </select>
        <input
          placeholder={t('live.filterText')}
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
        />
        <button type="button" class="secondary" onClick={() => setLines([])}>
          {t('live.clear')}
        </button>
      </div>
      <table class="list" data-list="live">
        <tbody>
          {shown.map((l) => (
            <tr data-kind={l.kind}>
              <td>{formatDate(l.at)}</td>
              <td>{l.kind === 'push' ? t('live.push') : t('live.job')}</td>
              {l.kind === 'push' ? (
                <td>
                  <code>{l.appId}</code> <span class={`status ${l.outcome}`}>{l.outcome}</span>{' '}
                  {l.code ?? ''}
                </td>
              ) : (
                <td>
                  <a href={`#/jobs/${l.jobId}`}>{l.function}</a>{' '}
                  <span class={`status ${l.status}`}>{l.status}</span> {l.source}
                  {l.trigger ? (
                    <>
                      {' · '}
                      <a href={`#/triggers/${encodeURIComponent(l.trigger)}`}>{l.trigger}</a>
                    </>
                  ) : null}
                  {l.durationMs !== undefined ? ` · ${Math.round(l.durationMs)} ms` : ''}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {shown.length === 0 ? <p class="muted">{t('live.empty')}</p> : null}
    </section>
  );
}
