import { useState } from 'preact/hooks';
import { api, ApiError } from '../lib/api.ts';
import type { FunctionInfo, TestRun, VersionInfo } from '../lib/function-types.ts';
import { eventTemplate, type TemplateSource } from '../lib/event-templates.ts';
import { SAMPLE_PUSHES } from '../lib/samples.ts';
import { formatNumber, t } from '../i18n/index.ts';
import { useAction, useLoad } from '../components/use-load.ts';
import { ErrorBox } from '../components/error-box.tsx';
import { CodeEditor } from '../components/code-editor.tsx';
import { RunOutput } from '../components/run-output.tsx';

const TEMPLATE = `exports.main = async function (event) {
  console.log('event.data', JSON.stringify(event.data));
  return { ok: true };
};
`;

const draftKey = (name: string) => `cloudfn.draft.${name}`;
/** The source the user deployed from this browser (the engine keeps the bundle). */
const sourceKey = (name: string, version: number) => `cloudfn.source.${name}.${version}`;

/**
 * The editor works on a draft kept apart from the deployed version (in this browser's
 * storage); 测试 runs the draft without deploying; 部署 sends it with the version it started
 * from, so a deploy by someone else meanwhile is a 409, not a silent overwrite.
 */
export function FunctionCodeTab(props: {
  name: string;
  info: FunctionInfo | null;
  onDeployed: () => void;
}) {
  const { name, info } = props;
  const deployed = useLoad(async () => {
    if (!info) return TEMPLATE;
    const saved = localStorage.getItem(sourceKey(name, info.version));
    if (saved !== null) return saved;
    const v = await api.get<VersionInfo>(
      `/functions/${encodeURIComponent(name)}/versions/${info.version}`,
    );
    return v.code ?? '';
  }, [name, info?.version]);
  const [draft, setDraft] = useState<string | null>(localStorage.getItem(draftKey(name)));
  const [base] = useState<number | null>(info?.version ?? null);
  const [source, setSource] = useState<TemplateSource>('wechat');
  const [sample, setSample] = useState('user_consume_card');
  const [eventText, setEventText] = useState(JSON.stringify(eventTemplate('wechat'), null, 2));
  const [run, setRun] = useState<TestRun | null>(null);
  const [conflict, setConflict] = useState(false);
  const test = useAction();
  const deploy = useAction();
  const code = draft ?? deployed.data ?? '';

  const edit = (text: string) => {
    setDraft(text);
    localStorage.setItem(draftKey(name), text);
  };
  const discard = () => {
    setDraft(null);
    localStorage.removeItem(draftKey(name));
  };
  const pickTemplate = (next: TemplateSource, nextSample = sample) => {
    setSource(next);
    setSample(nextSample);
    setEventText(JSON.stringify(eventTemplate(next, nextSample), null, 2));
  };
  const runTest = () =>
    test.run(async () => {
      let data: unknown;
      try {
        data = JSON.parse(eventText);
      } catch (err) {
        throw new ApiError(400, 'E_CONSOLE_BAD_JSON', (err as Error).message, { field: 'event' });
      }
      setRun(
        await api.post<TestRun>(`/functions/${encodeURIComponent(name)}/test`, { code, data }),
      );
    });
  const runDeploy = () =>
    deploy.run(async () => {
      setConflict(false);
      const precondition: Record<string, string> =
        (info?.version ?? base) === null
          ? { 'if-none-match': '*' }
          : { 'if-match': `"${info?.version ?? base}"` };
      try {
        const saved = await api.put<FunctionInfo>(
          `/functions/${encodeURIComponent(name)}`,
          { code },
          precondition,
        );
        localStorage.setItem(sourceKey(name, saved.version), code);
        discard();
        props.onDeployed();
      } catch (err) {
        if (err instanceof ApiError && err.status === 409) setConflict(true);
        throw err;
      }
    });

  return (
    <div class="code-tab">
      <div class="grid-editor">
        <div>
          <div class="toolbar">
            {draft !== null ? (
              <span class="badge warn">{t('fn.draftUnsaved')}</span>
            ) : (
              <span class="badge">{t('fn.noDraft')}</span>
            )}
            <button
              type="button"
              data-action="deploy"
              disabled={deploy.busy || code.trim() === ''}
              onClick={() => void runDeploy()}
            >
              {t('fn.deploy')}
            </button>
            {draft !== null ? (
              <button type="button" class="secondary" onClick={discard}>
                {t('fn.discardDraft')}
              </button>
            ) : null}
          </div>
          {deployed.data !== undefined ? <CodeEditor value={code} onChange={edit} /> : null}
          <ErrorBox error={deployed.error} />
          {conflict ? <p class="error">{t('fn.conflict')}</p> : null}
          <ErrorBox error={deploy.error} />
        </div>
        <div>
          <h3>{t('fn.testEvent')}</h3>
          <div class="toolbar">
            <select
              aria-label={t('fn.eventSource')}
              value={source}
              onChange={(e) => pickTemplate(e.currentTarget.value as TemplateSource)}
            >
              <option value="wechat">{t('source.wechat')}</option>
              <option value="invoke">{t('source.invoke')}</option>
              <option value="table">{t('source.table')}</option>
              <option value="timer">{t('source.timer')}</option>
              <option value="webhook">{t('source.webhook')}</option>
            </select>
            {source === 'wechat' ? (
              <select
                aria-label={t('fn.samplePush')}
                value={sample}
                onChange={(e) => pickTemplate('wechat', e.currentTarget.value)}
              >
                {Object.keys(SAMPLE_PUSHES).map((s) => (
                  <option value={s}>{s}</option>
                ))}
              </select>
            ) : null}
          </div>
          <textarea
            class="json"
            rows={12}
            aria-label={t('fn.testEvent')}
            value={eventText}
            onInput={(e) => setEventText(e.currentTarget.value)}
          />
          <button
            type="button"
            data-action="test"
            disabled={test.busy}
            onClick={() => void runTest()}
          >
            {t('fn.test')}
          </button>
          <ErrorBox error={test.error} />
          {run ? (
            <div class="card" data-test-result={run.status}>
              <div class="muted">
                {formatNumber(run.duration_ms, 1)} ms ·{' '}
                {formatNumber(run.memory_bytes / 1024 / 1024, 1)} MB
              </div>
              <RunOutput status={run.status} result={run.result} error={run.error} log={run.log} />
            </div>
          ) : null}
        </div>
      </div>
    </div>
  );
}
