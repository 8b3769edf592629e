import type { Connection } from './connection.ts';

/**
 * What to do about an engine refusal, for the codes a CLI user meets most. The engine's own
 * `hint` detail wins; otherwise docs/errors.md has a row for every code.
 */
export function hintFor(
  error: Record<string, unknown>,
  connection: Pick<Connection, 'tokenSource'>,
): string {
  if (typeof error.hint === 'string') return error.hint;
  const code = typeof error.code === 'string' ? error.code : '';
  switch (code) {
    case 'E_UNAUTHORIZED':
      return connection.tokenSource === 'none'
        ? 'No admin token found: pass --admin-token, set CLOUDFN_ADMIN_TOKEN, or run the command where the engine keeps data/admin-token.'
        : `The token from ${connection.tokenSource} was refused: use the one the engine printed at its first start (kept in <data dir>/admin-token).`;
    case 'E_ROUTE_NOT_FOUND':
      return "This engine does not know that route: is --url the engine's base address, and is the engine as new as this CLI?";
    case 'E_FUNCTION_NOT_FOUND':
      return 'Deploy it first: cloudfn deploy <file> --name <name>. "cloudfn functions list" shows what is deployed.';
    case 'E_WECHAT_UNKNOWN_ACCOUNT':
      return 'Register the account first: cloudfn accounts set <appId> --token <token> [--aes-key <key>].';
    case 'E_TRIGGER_INVALID':
    case 'E_TRIGGER_BAD_REGEX':
      return 'Fix each path listed; rules, durations and templates are in docs/triggers.md. "cloudfn triggers create <file> --dry-run" checks without saving.';
    case 'E_TRIGGER_REFERENCE_MISSING':
      return 'Create what the trigger names first (cloudfn deploy, cloudfn tables create, cloudfn accounts set), or fix the name; "cloudfn functions list" and "cloudfn tables list" show what exists.';
    case 'E_IN_USE':
      return 'Change or delete those triggers first, or delete anyway with --force (their firings then dead-letter until it is back).';
    case 'E_FUNCTION_BUILD':
      return 'Fix the syntax error shown, then deploy again.';
    default:
      return code ? `See docs/errors.md for ${code}.` : 'See the engine log for details.';
  }
}
