import { render } from 'preact';
import { useEffect } from 'preact/hooks';
import './style.css';
import 'uplot/dist/uPlot.min.css';
import { checkSession, signedIn } from './lib/api.ts';
import { route } from './lib/router.ts';
import { Layout } from './components/layout.tsx';
import { SignIn } from './pages/sign-in.tsx';
import { Dashboard } from './pages/dashboard.tsx';
import { FunctionsList } from './pages/functions-list.tsx';
import { FunctionPage } from './pages/function-page.tsx';
import { TriggersList } from './pages/triggers-list.tsx';
import { TriggerPage } from './pages/trigger-page.tsx';
import { TablesList } from './pages/tables-list.tsx';
import { TablePage } from './pages/table-page.tsx';
import { Accounts } from './pages/accounts.tsx';
import { LiveLog } from './pages/live-log.tsx';
import { JobPage } from './pages/job-page.tsx';
import { t } from './i18n/index.ts';

function Page() {
  const [section, name] = route.value;
  switch (section) {
    case undefined:
      return <Dashboard />;
    case 'functions':
      return name === undefined ? <FunctionsList /> : <FunctionPage name={name} />;
    case 'jobs':
      return <JobPage id={name ?? ''} />;
    case 'triggers':
      return name === undefined ? <TriggersList /> : <TriggerPage name={name} />;
    case 'tables':
      return name === undefined ? <TablesList /> : <TablePage name={name} />;
    case 'accounts':
      return <Accounts />;
    case 'live':
      return <LiveLog />;
    default:
      return <p>{t('common.notFound')}</p>;
  }
}

function App() {
  useEffect(() => void checkSession(), []);
  if (signedIn.value === null) return <p class="loading">…</p>;
  if (!signedIn.value) return <SignIn />;
  return (
    <Layout>
      <Page />
    </Layout>
  );
}

render(<App />, document.getElementById('app')!);
