import { useState } from 'preact/hooks';
import { api, type Page } from '../lib/api.ts';
import type { TriggerLog } from '../lib/trigger-types.ts';
import { formatDate, formatNumber, t } from '../i18n/index.ts';
import { useAction, useLoad } from '../components/use-load.ts';
import { ErrorBox } from '../components/error-box.tsx';
import { ListTable } from '../components/list-table.tsx';
import { Pager } from '../components/pager.tsx';
import { SinceInput } from '../components/since-input.tsx';

const PAGE = 20;

/** A trigger's logs, filtered by status, time, MsgId, FromUserName and Event; dead letters replay. */
export function TriggerLogs({ name }: { name: string }) {
  const [status, setStatus] = useState('');
  const [since, setSince] = useState('');
  const [msgId, setMsgId] = useState('');
  const [from, setFrom] = useState('');
  const [event, setEvent] = useState('');
  const [offset, setOffset] = useState(0);
  const [open, setOpen] = useState<string | null>(null);
  const base = `/triggers/${encodeURIComponent(name)}/logs`;
  const query = () => {
    const q = new URLSearchParams({ limit: String(PAGE), offset: String(offset) });
    if (status) q.set('status', status);
    if (since) q.set('since', new Date(since).toISOString());
    if (msgId) q.set('msgId', msgId);
    if (from) q.set('fromUserName', from);
    if (event) q.set('event', event);
    return q;
  };
  const logs = useLoad(
    () => api.get<Page<TriggerLog>>(`${base}?${query()}`),
    [name, status, since, msgId, from, event, offset],
  );
  const replay = useAction();
  const replayOne = (id: string) => api.post(`${base}/${encodeURIComponent(id)}/replay`);
  const replayAll = () =>
    replay.run(async () => {
      // Every dead letter, page by page (replayed rows leave the dead_letter status).
      const done = new Set<string>();
      for (;;) {
        const page = await api.get<Page<TriggerLog>>(`${base}?status=dead_letter&limit=100`);
        const fresh = page.objects.filter((l) => !done.has(l.id));
        if (fresh.length === 0) break;
        for (const l of fresh) {
          done.add(l.id);
          await replayOne(l.id);
        }
      }
      logs.reload();
    });
  return (
    <div>
      <div class="toolbar">
        <select
          aria-label={t('job.status')}
          name="log-status"
          value={status}
          onChange={(e) => (setStatus(e.currentTarget.value), setOffset(0))}
        >
          <option value="">{t('job.anyStatus')}</option>
          {['pending', 'succeeded', 'failed', 'dead_letter'].map((s) => (
            <option value={s}>{t(`logStatus.${s as 'pending'}`)}</option>
          ))}
        </select>
        <SinceInput value={since} onChange={setSince} />
        <input placeholder="MsgId" value={msgId} onInput={(e) => setMsgId(e.currentTarget.value)} />
        <input
          placeholder="FromUserName"
          value={from}
          onInput={(e) => setFrom(e.currentTarget.value)}
        />
        <input placeholder="Event" value={event} onInput={(e) => setEvent(e.currentTarget.value)} />
        <button type="button" onClick={logs.reload} data-action="refresh-logs">
          {t('common.refresh')}
        </button>
        <button
          type="button"
          class="secondary"
          data-action="replay-all"
          onClick={() => void replayAll()}
        >
          {t('trg.replayAll')}
        </button>
      </div>
      <ErrorBox error={logs.error ?? replay.error} />
      <ListTable
        list="trigger-logs"
        headers={[
          t('trg.firedAt'),
          t('job.status'),
          t('trg.action'),
          t('trg.attempts'),
          t('job.duration'),
          t('job.title'),
          '',
        ]}
      >
        {logs.data?.objects.map((l) => (
          <>
            <tr data-log-status={l.status}>
              <td>
                <button
                  type="button"
                  class="link"
                  onClick={() => setOpen(open === l.id ? null : l.id)}
                >
                  {formatDate(l.triggered_at)}
                </button>
              </td>
              <td>
                <span class={`status ${l.status}`}>{t(`logStatus.${l.status}`)}</span>
              </td>
              <td>
                #{l.action.index} {l.action.type} {l.action.function ?? ''}
              </td>
              <td class="num">{l.attempts}</td>
              <td class="num">
                {l.duration_ms === null ? '—' : `${formatNumber(l.duration_ms, 1)} ms`}
              </td>
              <td>{l.job_id ? <a href={`#/jobs/${l.job_id}`}>{l.job_id.slice(0, 8)}</a> : '—'}</td>
              <td>
                {l.status === 'dead_letter' || l.status === 'failed' ? (
                  <button
                    type="button"
                    class="small"
                    data-action="replay"
                    onClick={() =>
                      void replay.run(async () => (await replayOne(l.id), logs.reload()))
                    }
                  >
                    {t('trg.replay')}
                  </button>
                ) : null}
              </td>
            </tr>
            {open === l.id ? (
              <tr>
                <td colSpan={7}>
                  {l.error ? (
                    <p class="error">
                      <code>{l.error_type}</code> {l.error}
                    </p>
                  ) : null}
                  <pre>{JSON.stringify(l.event, null, 2)}</pre>
                </td>
              </tr>
            ) : null}
          </>
        ))}
      </ListTable>
      <Pager page={logs.data} offset={offset} limit={PAGE} onOffset={setOffset} />
    </div>
  );
}
