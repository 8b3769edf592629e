import { useState } from 'preact/hooks';
import { api, type Page } from '../lib/api.ts';
import type { Trigger } from '../lib/trigger-types.ts';
import { t } from '../i18n/index.ts';
import { useLoad } from '../components/use-load.ts';
import { ErrorBox } from '../components/error-box.tsx';
import { TriggerEditor } from './trigger-editor.tsx';
import { TriggerDryRun } from './trigger-dry-run.tsx';
import { TriggerLogs } from './trigger-logs.tsx';
import { PageHead } from '../components/page-head.tsx';
import { Tabs } from '../components/tabs.tsx';

/** A trigger: the rule builder and actions, a dry run, and its logs with replay. */
export function TriggerPage({ name }: { name: string }) {
  const [tab, setTab] = useState<'edit' | 'logs'>('edit');
  // From the list: a trigger not saved yet is a normal state here, not a 404 to log.
  const found = useLoad(async () => {
    const all = await api.get<Page<Trigger>>('/triggers?limit=1000');
    return all.objects.find((tr) => tr.name === name) ?? null;
  }, [name]);
  return (
    <section>
      <PageHead title={name} parent={{ section: 'triggers', label: t('nav.triggers') }} />
      <ErrorBox error={found.error} />
      <Tabs
        tabs={[
          ['edit', 'trg.tabEdit'],
          ['logs', 'trg.tabLogs'],
        ]}
        value={tab}
        onChange={setTab}
      />
      {found.data === undefined ? null : tab === 'edit' ? (
        <>
          <TriggerEditor name={name} saved={found.data} onSaved={found.reload} />
          {found.data ? <TriggerDryRun name={name} trigger={found.data} /> : null}
        </>
      ) : (
        <TriggerLogs name={name} />
      )}
    </section>
  );
}
