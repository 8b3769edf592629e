import { useState } from 'preact/hooks';
import { signIn } from '../lib/api.ts';
import { lang, setLang, t } from '../i18n/index.ts';
import { ErrorBox } from '../components/error-box.tsx';
import { useAction } from '../components/use-load.ts';

/** The admin token is sent once and exchanged for an HttpOnly cookie; it is not kept. */
export function SignIn() {
  const [token, setToken] = useState('');
  const action = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(() => signIn(token.trim()));
  };
  return (
    <form class="sign-in card" onSubmit={submit}>
      <h1>cloudfn</h1>
      <p>{t('signIn.intro')}</p>
      <label>
        {t('signIn.token')}
        <input
          type="password"
          name="token"
          autocomplete="current-password"
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
        />
      </label>
      <button type="submit" disabled={action.busy || token.trim() === ''}>
        {t('signIn.submit')}
      </button>
      <ErrorBox error={action.error} />
      <p class="hint">{t('signIn.hint')}</p>
      <select
        aria-label={t('nav.language')}
        value={lang.value}
        onChange={(e) => setLang(e.currentTarget.value as 'en' | 'zh-CN')}
      >
        <option value="zh-CN">简体中文</option>
        <option value="en">English</option>
      </select>
    </form>
  );
}
