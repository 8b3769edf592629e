/**
 * Why a CLI command stopped, and the exit code a script sees (docs/cli.md, "Exit codes"):
 * 0 ok, 1 the engine refused (or a function run failed), 2 usage error, 3 engine unreachable.
 */
export const EXIT = { ok: 0, refused: 1, usage: 2, unreachable: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class CliError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;
  /** Extra lines printed under the message (a code frame, a rule table). */
  readonly detail: string | undefined;

  constructor(
    code: string,
    message: string,
    options: { exitCode: ExitCode; hint?: string; detail?: string },
  ) {
    super(message);
    this.name = 'CliError';
    this.code = code;
    this.exitCode = options.exitCode;
    this.hint = options.hint;
    this.detail = options.detail;
  }
}

/** Bad arguments, a missing or unreadable file: the command never reached the engine. */
export function usageError(message: string, hint?: string, code = 'E_CLI_USAGE'): CliError {
  return new CliError(code, message, { exitCode: EXIT.usage, ...(hint ? { hint } : {}) });
}

/** The engine (or a check standing in for it) said no: an `{error: {code, message}}` answer. */
export class EngineRefusedError extends CliError {
  readonly status: number;
  readonly body: Record<string, unknown>;

  constructor(status: number, body: Record<string, unknown>, hint?: string) {
    const code = typeof body.code === 'string' ? body.code : `HTTP_${status}`;
    const message =
      typeof body.message === 'string' ? body.message : `The engine answered HTTP ${status}.`;
    super(code, message, { exitCode: EXIT.refused, ...(hint ? { hint } : {}) });
    this.name = 'EngineRefusedError';
    this.status = status;
    this.body = body;
  }
}

/** Nothing answered at the URL, or something that is not a cloudfn engine did. */
export function unreachableError(
  url: string,
  reason: string,
  code = 'E_CLI_UNREACHABLE',
): CliError {
  return new CliError(code, `Cannot reach a cloudfn engine at ${url} (${reason}).`, {
    exitCode: EXIT.unreachable,
    hint: 'Start one with "npm start" (or "npx cloudfn serve") in the checkout, or point --url / CLOUDFN_URL at a running engine.',
  });
}
