import { useState } from 'preact/hooks';
import { api, rawPost, type Page } from '../lib/api.ts';
import type { TriggerLog } from '../lib/trigger-types.ts';
import { SAMPLE_PUSHES } from '../lib/samples.ts';
import { formatDate, t } from '../i18n/index.ts';
import { useAction } from '../components/use-load.ts';
import { ErrorBox } from '../components/error-box.tsx';

interface Signed {
  query: Record<string, string>;
  body: string;
  contentType: string;
}

const fromUserOf = (xml: string) =>
  /<FromUserName>\s*(?:<!\[CDATA\[)?([^\]<]*)/.exec(xml)?.[1]?.trim();
const withCreateTime = (xml: string, seconds: number) =>
  xml.replace(/<CreateTime>\s*\d+\s*<\/CreateTime>/, `<CreateTime>${seconds}</CreateTime>`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The push simulator: a sample push, signed (and in safe mode encrypted) by the engine as
 * WeChat would send it, POSTed to /wechat/:appId; shows the answer and the runs it caused.
 */
export function PushSimulator({ accounts }: { accounts: string[] }) {
  const [appId, setAppId] = useState(accounts[0] ?? '');
  const [sample, setSample] = useState('user_consume_card');
  const [xml, setXml] = useState(SAMPLE_PUSHES.user_consume_card ?? '');
  const [encrypt, setEncrypt] = useState(true);
  const [fresh, setFresh] = useState(true);
  const [answer, setAnswer] = useState<string | null>(null);
  const [opened, setOpened] = useState<string | null>(null);
  const [runs, setRuns] = useState<TriggerLog[]>([]);
  const send = useAction();
  const go = () =>
    send.run(async () => {
      setAnswer(null);
      setOpened(null);
      setRuns([]);
      const sentAt = new Date(Date.now() - 1000).toISOString();
      // WeChat deduplicates on MsgId, or FromUserName + CreateTime: a fresh CreateTime makes
      // each send a new push rather than a retry of the last one.
      const push = fresh ? withCreateTime(xml, Math.floor(Date.now() / 1000)) : xml;
      const signed = await api.post<Signed>(`/wechat/accounts/${encodeURIComponent(appId)}/sign`, {
        body: push,
        encrypt,
      });
      const reply = await rawPost(
        `/wechat/${encodeURIComponent(appId)}?${new URLSearchParams(signed.query)}`,
        signed.body,
        signed.contentType,
      );
      setAnswer(reply);
      if (encrypt && reply !== 'success') {
        const open = await api.post<{ encrypted: boolean; message: string }>(
          `/wechat/accounts/${encodeURIComponent(appId)}/open-reply`,
          { body: reply },
        );
        if (open.encrypted) setOpened(open.message);
      }
      // The functions run right after the answer: follow their logs until they settle.
      const from = fromUserOf(xml);
      const q = new URLSearchParams({ since: sentAt, limit: '20' });
      if (from) q.set('fromUserName', from);
      for (let i = 0; i < 20; i++) {
        const logs = await api.get<Page<TriggerLog>>(`/trigger-logs?${q}`);
        setRuns(logs.objects);
        if (logs.objects.length > 0 && logs.objects.every((l) => l.status !== 'pending')) break;
        await sleep(300);
      }
    });
  return (
    <div class="card push-simulator">
      <h3>{t('sim.title')}</h3>
      <div class="inline">
        <select
          name="sim-account"
          aria-label="AppID"
          value={appId}
          onChange={(e) => setAppId(e.currentTarget.value)}
        >
          {accounts.map((a) => (
            <option value={a}>{a}</option>
          ))}
        </select>
        <select
          name="sim-sample"
          aria-label={t('fn.samplePush')}
          value={sample}
          onChange={(e) => {
            setSample(e.currentTarget.value);
            setXml(SAMPLE_PUSHES[e.currentTarget.value] ?? '');
          }}
        >
          {Object.keys(SAMPLE_PUSHES).map((s) => (
            <option value={s}>{s}</option>
          ))}
        </select>
        <label class="check">
          <input
            type="radio"
            name="sim-mode"
            checked={!encrypt}
            onChange={() => setEncrypt(false)}
          />
          {t('acc.mode.plain')}
        </label>
        <label class="check">
          <input
            type="radio"
            name="sim-mode"
            value="safe"
            checked={encrypt}
            onChange={() => setEncrypt(true)}
          />
          {t('acc.mode.safe')}
        </label>
      </div>
      <label class="check">
        <input
          type="checkbox"
          checked={fresh}
          onChange={(e) => setFresh(e.currentTarget.checked)}
        />
        {t('sim.freshTime')}
      </label>
      <textarea
        class="json"
        rows={10}
        aria-label={t('sim.push')}
        value={xml}
        onInput={(e) => setXml(e.currentTarget.value)}
      />
      <button
        type="button"
        data-action="send-push"
        disabled={send.busy || !appId}
        onClick={() => void go()}
      >
        {t('sim.send')}
      </button>
      <ErrorBox error={send.error} />
      {answer !== null ? (
        <div data-push-answer>
          <h4>{t('sim.answer')}</h4>
          <pre>{answer}</pre>
          {opened !== null ? (
            <>
              <h4>{t('sim.decrypted')}</h4>
              <pre data-decrypted-reply>{opened}</pre>
            </>
          ) : null}
          <h4>{t('sim.runs')}</h4>
          {runs.length === 0 ? <p class="muted">{t('sim.noRuns')}</p> : null}
          <ul data-list="sim-runs">
            {runs.map((l) => (
              <li data-log-status={l.status}>
                {formatDate(l.triggered_at)} ·{' '}
                <a href={`#/triggers/${encodeURIComponent(l.trigger)}`}>{l.trigger}</a> ·{' '}
                <span class={`status ${l.status}`}>{t(`logStatus.${l.status}`)}</span>
                {l.job_id ? (
                  <>
                    {' · '}
                    <a href={`#/jobs/${l.job_id}`}>{t('job.title')}</a>
                  </>
                ) : null}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
