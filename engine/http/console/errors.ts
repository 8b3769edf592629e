import { EngineError } from '../../errors.ts';
import type { CONSOLE_ERRORS } from './error-codes.ts';

/** Refusals of the web console's session layer (docs/errors.md, "Web console"). */
export class ConsoleError extends EngineError {
  constructor(
    code: keyof typeof CONSOLE_ERRORS,
    message: string,
    details?: Record<string, unknown>,
  ) {
    super(code, message, { details });
    this.name = 'ConsoleError';
  }
}

export const originRefused = (origin: string | undefined) =>
  new ConsoleError(
    'E_CONSOLE_ORIGIN',
    origin
      ? `A cookie-authenticated change must come from the console's own origin, not "${origin}".`
      : 'A cookie-authenticated change must carry an Origin header (browsers send one).',
    origin ? { origin } : undefined,
  );

export const csrfRefused = () =>
  new ConsoleError(
    'E_CONSOLE_CSRF',
    'A cookie-authenticated change needs the X-Cloudfn-CSRF header the session gave; reload the console.',
  );

export const notBuilt = (dir: string) =>
  new ConsoleError(
    'E_CONSOLE_NOT_BUILT',
    `The console is not built (no ${dir}/manifest.json); run "npm run build".`,
  );
