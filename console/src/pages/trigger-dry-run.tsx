import { useState } from 'preact/hooks';
import { api, ApiError } from '../lib/api.ts';
import type { DryRunAnswer, Trigger } from '../lib/trigger-types.ts';
import { SAMPLE_PUSHES, pushToEventData } from '../lib/samples.ts';
import { t } from '../i18n/index.ts';
import { useAction } from '../components/use-load.ts';
import { ErrorBox } from '../components/error-box.tsx';

/** Dry run: would this sample event fire the saved trigger, rule by rule? Nothing runs. */
export function TriggerDryRun({ name, trigger }: { name: string; trigger: Trigger }) {
  const appId = trigger.condition.appId ?? 'wx2c2769f8efd9abc2';
  const [sample, setSample] = useState('user_consume_card');
  const [text, setText] = useState(
    JSON.stringify(pushToEventData(SAMPLE_PUSHES.user_consume_card ?? '<xml/>', appId), null, 2),
  );
  const [answer, setAnswer] = useState<DryRunAnswer | null>(null);
  const action = useAction();
  const run = () =>
    action.run(async () => {
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch (err) {
        throw new ApiError(400, 'E_CONSOLE_BAD_JSON', (err as Error).message, { field: 'event' });
      }
      setAnswer(
        await api.post<DryRunAnswer>(`/triggers/${encodeURIComponent(name)}/test`, { data }),
      );
    });
  return (
    <div class="card">
      <h3>{t('trg.dryRun')}</h3>
      {trigger.type === 'wechat_message' ? (
        <select
          aria-label={t('fn.samplePush')}
          value={sample}
          onChange={(e) => {
            setSample(e.currentTarget.value);
            setText(
              JSON.stringify(
                pushToEventData(SAMPLE_PUSHES[e.currentTarget.value] ?? '<xml/>', appId),
                null,
                2,
              ),
            );
          }}
        >
          {Object.keys(SAMPLE_PUSHES).map((s) => (
            <option value={s}>{s}</option>
          ))}
        </select>
      ) : null}
      <textarea
        class="json"
        rows={8}
        aria-label={t('fn.testEvent')}
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
      />
      <button type="button" data-action="dry-run" onClick={() => void run()}>
        {t('trg.dryRunButton')}
      </button>
      <ErrorBox error={action.error} />
      {answer ? (
        <div data-dry-run={answer.matched ? 'matched' : 'not-matched'}>
          <p class={answer.matched ? 'ok' : 'error'}>
            {answer.matched ? t('trg.wouldFire') : t('trg.wouldNotFire')}
          </p>
          <ul>
            {answer.reasons.map((r) => (
              <li>{r}</li>
            ))}
            {answer.rules.map((r) => (
              <li>
                #{r.index} {r.matched ? '✓' : '✗'} <code>{JSON.stringify(r.value)}</code>{' '}
                {r.reason ?? ''}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
