import { useState } from 'preact/hooks';
import { api } from '../lib/api.ts';
import type { FunctionInfo, VersionInfo } from '../lib/function-types.ts';
import { t } from '../i18n/index.ts';
import { useAction } from '../components/use-load.ts';
import { ErrorBox } from '../components/error-box.tsx';
import { NumberField } from '../components/number-field.tsx';

/**
 * Env (values write-only: the engine never sends them back, so only names are listed) and
 * limits. Both make a new version from the active code, as a deploy would.
 */
export function FunctionSettingsTab(props: {
  name: string;
  info: FunctionInfo | null;
  onChanged: () => void;
}) {
  const { name, info } = props;
  const [envName, setEnvName] = useState('');
  const [envValue, setEnvValue] = useState('');
  const [timeoutMs, setTimeoutMs] = useState(String(info?.timeoutMs ?? 5000));
  const [memoryMb, setMemoryMb] = useState(String(info?.memoryMb ?? 128));
  const env = useAction();
  const limits = useAction();
  if (!info) return <p class="muted">{t('fn.notDeployed')}</p>;
  const path = `/functions/${encodeURIComponent(name)}`;
  const saveLimits = () =>
    limits.run(async () => {
      const active = await api.get<VersionInfo>(`${path}/versions/${info.version}`);
      await api.put(
        path,
        { code: active.code ?? '', timeoutMs: Number(timeoutMs), memoryMb: Number(memoryMb) },
        { 'if-match': `"${info.version}"` },
      );
      props.onChanged();
    });
  return (
    <div class="grid2">
      <div class="card">
        <h3>{t('fn.env')}</h3>
        <p class="hint">{t('fn.envHint')}</p>
        <table class="list">
          <tbody>
            {info.env.map((key) => (
              <tr>
                <td>
                  <code>{key}</code>
                </td>
                <td>••••••</td>
                <td>
                  <button
                    type="button"
                    class="small secondary"
                    onClick={() =>
                      void env.run(async () => {
                        await api.patch(`${path}/env`, { unset: [key] });
                        props.onChanged();
                      })
                    }
                  >
                    {t('common.delete')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <form
          class="inline"
          onSubmit={(e) => {
            e.preventDefault();
            void env.run(async () => {
              await api.patch(`${path}/env`, { set: { [envName]: envValue } });
              setEnvName('');
              setEnvValue('');
              props.onChanged();
            });
          }}
        >
          <input
            placeholder={t('fn.envName')}
            value={envName}
            onInput={(e) => setEnvName(e.currentTarget.value)}
          />
          <input
            type="password"
            autocomplete="off"
            placeholder={t('fn.envValue')}
            value={envValue}
            onInput={(e) => setEnvValue(e.currentTarget.value)}
          />
          <button type="submit">{t('common.save')}</button>
        </form>
        <ErrorBox error={env.error} />
      </div>
      <div class="card">
        <h3>{t('fn.limits')}</h3>
        <NumberField
          label={t('fn.timeoutMs')}
          min={100}
          max={900000}
          value={timeoutMs}
          onInput={setTimeoutMs}
        />
        <NumberField
          label={t('fn.memoryMb')}
          min={8}
          max={2048}
          value={memoryMb}
          onInput={setMemoryMb}
        />
        <button type="button" onClick={() => void saveLimits()}>
          {t('common.save')}
        </button>
        <ErrorBox error={limits.error} />
      </div>
    </div>
  );
}
