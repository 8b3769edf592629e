import { useState } from 'preact/hooks';
import { t } from '../i18n/index.ts';

/** Copies `text` to the clipboard; says so for a moment. */
export function CopyButton({ text, label }: { text: string; label?: string }) {
  const [done, setDone] = useState(false);
  const copy = async () => {
    await navigator.clipboard.writeText(text).catch(() => undefined);
    setDone(true);
    setTimeout(() => setDone(false), 1500);
  };
  return (
    <button type="button" class="small" onClick={copy} aria-label={label ?? t('common.copy')}>
      {done ? t('common.copied') : t('common.copy')}
    </button>
  );
}
