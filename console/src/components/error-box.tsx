import { ApiError } from '../lib/api.ts';
import { errorText, t } from '../i18n/index.ts';

/** An error as the user reads it: localised text for its code, the engine's message as detail. */
export function ErrorBox({ error }: { error: unknown }) {
  if (error === null || error === undefined) return null;
  const code = error instanceof ApiError ? error.code : 'E_CONSOLE';
  const message = error instanceof Error ? error.message : String(error);
  const details = error instanceof ApiError ? error.details : {};
  const field =
    typeof details.field === 'string'
      ? details.field
      : typeof details.path === 'string'
        ? details.path
        : undefined;
  return (
    <div class="error" role="alert" data-code={code}>
      <strong>{errorText(code) ?? t('error.generic')}</strong> <code>{code}</code>
      {field ? (
        <span>
          {' '}
          {t('error.field')}: <code>{field}</code>
        </span>
      ) : null}
      <div class="detail">{message}</div>
    </div>
  );
}
