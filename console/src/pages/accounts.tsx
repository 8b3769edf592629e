import { useState } from 'preact/hooks';
import { api, type Page } from '../lib/api.ts';
import { formatDate, t } from '../i18n/index.ts';
import { useAction, useLoad } from '../components/use-load.ts';
import { ErrorBox } from '../components/error-box.tsx';
import { ListTable } from '../components/list-table.tsx';
import { CopyButton } from '../components/copy-button.tsx';
import { PushSimulator } from './push-simulator.tsx';
import { PageHead } from '../components/page-head.tsx';

interface Account {
  appId: string;
  mode: 'plain' | 'compatible' | 'safe';
  hasEncodingAESKey: boolean;
  hasPreviousEncodingAESKey: boolean;
  created_at: string;
  updated_at: string;
}

const AES_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** A fresh EncodingAESKey: 43 characters, as 公众号 → 服务器配置 would generate. */
function randomKey(length = 43): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return Array.from(bytes, (b) => AES_ALPHABET[b % AES_ALPHABET.length]).join('');
}

/** 公众号 accounts: add, rotate the key, the 服务器配置 values, and the push simulator. */
export function Accounts() {
  const list = useLoad(() => api.get<Page<Account>>('/wechat/accounts'), []);
  const [appId, setAppId] = useState('');
  const [token, setToken] = useState('');
  const [key, setKey] = useState('');
  const [mode, setMode] = useState<'plain' | 'compatible' | 'safe'>('safe');
  // What was just typed or generated, shown once so it can be pasted into WeChat; the
  // engine never sends keys back.
  const [shown, setShown] = useState<{ appId: string; token: string; key: string } | null>(null);
  const save = useAction();
  const put = (id: string, body: Record<string, unknown>) =>
    save.run(async () => {
      await api.put(`/wechat/accounts/${encodeURIComponent(id)}`, body);
      list.reload();
    });
  const receiverUrl = (id: string) => `${location.origin}/wechat/${id}`;
  return (
    <section>
      <PageHead title={t('nav.accounts')} />
      <ErrorBox error={list.error} />
      <ListTable
        headers={[
          'AppID',
          t('acc.mode'),
          'EncodingAESKey',
          t('acc.receiverUrl'),
          t('common.updatedAt'),
          '',
        ]}
      >
        {list.data?.objects.map((a) => (
          <tr data-account={a.appId}>
            <td>
              <code>{a.appId}</code>
            </td>
            <td>{t(`acc.mode.${a.mode}`)}</td>
            <td>
              {a.hasEncodingAESKey ? '✓' : '—'}{' '}
              {a.hasPreviousEncodingAESKey ? t('acc.previousKeyKept') : ''}
            </td>
            <td>
              <code>{receiverUrl(a.appId)}</code> <CopyButton text={receiverUrl(a.appId)} />
            </td>
            <td>{formatDate(a.updated_at)}</td>
            <td>
              <button
                type="button"
                class="small secondary"
                data-action="rotate-key"
                onClick={() => {
                  // The engine never sends the Token back: it is typed again, the key is new.
                  setAppId(a.appId);
                  setMode(a.mode);
                  setKey(randomKey());
                  document.querySelector<HTMLInputElement>('input[name="token"]')?.focus();
                }}
              >
                {t('acc.rotateKey')}
              </button>
            </td>
          </tr>
        ))}
      </ListTable>
      <form
        class="card"
        onSubmit={(e) => {
          e.preventDefault();
          const id = appId.trim();
          void put(id, { token, ...(key ? { encodingAESKey: key } : {}), mode }).then(() =>
            setShown({ appId: id, token, key }),
          );
        }}
      >
        <h3>{t('acc.addOrUpdate')}</h3>
        <p class="hint">{t('acc.hint')}</p>
        <label>
          AppID
          <input name="appId" value={appId} onInput={(e) => setAppId(e.currentTarget.value)} />
        </label>
        <label>
          Token
          <input name="token" value={token} onInput={(e) => setToken(e.currentTarget.value)} />
        </label>
        <label>
          EncodingAESKey
          <span class="inline">
            <input
              name="encodingAESKey"
              size={50}
              value={key}
              onInput={(e) => setKey(e.currentTarget.value)}
            />
            <button type="button" class="small secondary" onClick={() => setKey(randomKey())}>
              {t('acc.generateKey')}
            </button>
          </span>
        </label>
        <label>
          {t('acc.mode')}
          <select
            name="mode"
            value={mode}
            onChange={(e) => setMode(e.currentTarget.value as 'plain')}
          >
            <option value="plain">{t('acc.mode.plain')}</option>
            <option value="compatible">{t('acc.mode.compatible')}</option>
            <option value="safe">{t('acc.mode.safe')}</option>
          </select>
        </label>
        <button type="submit" data-action="save-account" disabled={save.busy}>
          {t('common.save')}
        </button>
        <p class="hint">{t('acc.rotateHint')}</p>
        <ErrorBox error={save.error} />
      </form>
      {shown ? (
        <div class="card" data-server-config>
          <h3>{t('acc.serverConfig')}</h3>
          <dl>
            <dt>URL</dt>
            <dd>
              <code>{receiverUrl(shown.appId)}</code> <CopyButton text={receiverUrl(shown.appId)} />
            </dd>
            <dt>Token</dt>
            <dd>
              <code>{shown.token}</code> <CopyButton text={shown.token} />
            </dd>
            {shown.key ? (
              <>
                <dt>EncodingAESKey</dt>
                <dd>
                  <code>{shown.key}</code> <CopyButton text={shown.key} />
                </dd>
              </>
            ) : null}
          </dl>
        </div>
      ) : null}
      {list.data && list.data.objects.length > 0 ? (
        <PushSimulator accounts={list.data.objects.map((a) => a.appId)} />
      ) : null}
    </section>
  );
}
