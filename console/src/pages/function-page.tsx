import { useState } from 'preact/hooks';
import { api, type Page } from '../lib/api.ts';
import type { FunctionInfo } from '../lib/function-types.ts';
import { t, type MessageKey } from '../i18n/index.ts';
import { useLoad } from '../components/use-load.ts';
import { ErrorBox } from '../components/error-box.tsx';
import { FunctionCodeTab } from './function-code-tab.tsx';
import { FunctionVersionsTab } from './function-versions-tab.tsx';
import { FunctionSettingsTab } from './function-settings-tab.tsx';
import { FunctionJobsTab } from './function-jobs-tab.tsx';
import { PageHead } from '../components/page-head.tsx';
import { Tabs } from '../components/tabs.tsx';

type Tab = 'code' | 'versions' | 'settings' | 'jobs';
const TABS: Array<[Tab, MessageKey]> = [
  ['code', 'fn.tabCode'],
  ['versions', 'fn.tabVersions'],
  ['settings', 'fn.tabSettings'],
  ['jobs', 'fn.tabJobs'],
];

/** A function: editor and 测试, versions, env and limits, 任务日志. New when not deployed yet. */
export function FunctionPage({ name }: { name: string }) {
  const [tab, setTab] = useState<Tab>('code');
  // From the list: a function not deployed yet is a normal state here, not a 404 to log.
  const { data, error, reload } = useLoad(async () => {
    const all = await api.get<Page<FunctionInfo>>('/functions?limit=1000');
    return all.objects.find((f) => f.name === name) ?? null;
  }, [name]);
  return (
    <section>
      <PageHead title={name} parent={{ section: 'functions', label: t('nav.functions') }}>
        {data ? (
          <span class="badge" data-active-version={data.version}>
            {t('fn.activeVersion', { version: data.version })}
          </span>
        ) : data === null ? (
          <span class="badge">{t('fn.notDeployed')}</span>
        ) : null}
      </PageHead>
      <ErrorBox error={error} />
      <Tabs tabs={TABS} value={tab} onChange={setTab} />
      {data === undefined ? null : tab === 'code' ? (
        <FunctionCodeTab name={name} info={data} onDeployed={reload} />
      ) : tab === 'versions' ? (
        <FunctionVersionsTab name={name} info={data} onChanged={reload} />
      ) : tab === 'settings' ? (
        <FunctionSettingsTab name={name} info={data} onChanged={reload} />
      ) : (
        <FunctionJobsTab name={name} />
      )}
    </section>
  );
}
