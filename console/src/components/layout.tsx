import type { ComponentChildren } from 'preact';
import { lang, setLang, t, type MessageKey } from '../i18n/index.ts';
import { signOut } from '../lib/api.ts';
import { route } from '../lib/router.ts';

const SECTIONS: Array<[string, MessageKey]> = [
  ['', 'nav.dashboard'],
  ['functions', 'nav.functions'],
  ['triggers', 'nav.triggers'],
  ['tables', 'nav.tables'],
  ['accounts', 'nav.accounts'],
  ['live', 'nav.live'],
];

export function Layout({ children }: { children: ComponentChildren }) {
  const current = route.value[0] ?? '';
  return (
    <div class="shell">
      <nav>
        <div class="brand">cloudfn</div>
        {SECTIONS.map(([path, key]) => (
          <a
            href={`#/${path}`}
            class={current === path ? 'active' : ''}
            data-nav={path || 'dashboard'}
          >
            {t(key)}
          </a>
        ))}
        <div class="nav-foot">
          <select
            aria-label={t('nav.language')}
            value={lang.value}
            onChange={(e) => setLang((e.currentTarget.value as 'en' | 'zh-CN') ?? 'en')}
          >
            <option value="zh-CN">简体中文</option>
            <option value="en">English</option>
          </select>
          <button type="button" class="link" onClick={() => void signOut()}>
            {t('nav.signOut')}
          </button>
        </div>
      </nav>
      <main>{children}</main>
    </div>
  );
}
