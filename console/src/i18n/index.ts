/**
 * Languages: 简体中文 when the browser's language starts with `zh`, else English, and a
 * switch (remembered in localStorage: a preference, not a secret). Dates and numbers go
 * through Intl in the chosen language.
 */
import { signal } from '@preact/signals';
import { en } from './en.ts';
import { zhCN } from './zh-cn.ts';

export type Lang = 'zh-CN' | 'en';
export type MessageKey = keyof typeof en;

const dictionaries: Record<Lang, Record<MessageKey, string>> = { en, 'zh-CN': zhCN };

function initial(): Lang {
  const saved = localStorage.getItem('cloudfn.lang');
  if (saved === 'en' || saved === 'zh-CN') return saved;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export const lang = signal<Lang>(initial());

export function setLang(next: Lang): void {
  lang.value = next;
  localStorage.setItem('cloudfn.lang', next);
  document.documentElement.lang = next;
}
document.documentElement.lang = lang.value;

/** The text of `key`, with `{name}` placeholders filled from `params`. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const text = dictionaries[lang.value][key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name: string) =>
    name in params ? String(params[name]) : m,
  );
}

/** Localised text for an engine error code, when the dictionary has one. */
export function errorText(code: string): string | undefined {
  const key = `error.${code}` as MessageKey;
  return key in dictionaries[lang.value] ? dictionaries[lang.value][key] : undefined;
}

export const formatDate = (iso: string | number | null | undefined) =>
  iso === null || iso === undefined
    ? '—'
    : new Intl.DateTimeFormat(lang.value, { dateStyle: 'short', timeStyle: 'medium' }).format(
        new Date(iso),
      );

export const formatNumber = (n: number | null | undefined, digits = 0) =>
  n === null || n === undefined
    ? '—'
    : new Intl.NumberFormat(lang.value, { maximumFractionDigits: digits }).format(n);
