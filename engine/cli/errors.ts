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

/** One fault of a refused input (a trigger definition, a request body), as the engine lists it. */
export interface ErrorIssue {
  path: string;
  message: string;
  code?: string;
  hint?: string;
}

/** The `issues` of an engine refusal (E_TRIGGER_INVALID, E_INVALID_BODY, …), or none. */
export function issuesOf(err: CliError): ErrorIssue[] {
  if (!(err instanceof EngineRefusedError) || !Array.isArray(err.body.issues)) return [];
  return err.body.issues.flatMap((raw: unknown) => {
    if (raw === null || typeof raw !== 'object') return [];
    const i = raw as Record<string, unknown>;
    const suggestion = typeof i.suggestion === 'string' ? i.suggestion : undefined;
    const hint =
      typeof i.hint === 'string'
        ? i.hint
        : suggestion
          ? `did you mean "${suggestion}"?`
          : undefined;
    return [
      {
        path: typeof i.path === 'string' ? i.path : '',
        message: typeof i.message === 'string' ? i.message : JSON.stringify(raw),
        ...(typeof i.code === 'string' ? { code: i.code } : {}),
        ...(hint ? { hint } : {}),
      },
    ];
  });
}

/**
 * The error as JSON for `--json` (on stdout, so a script reads one JSON document either
 * way): the engine's `{error: {code, message, …details}}` plus the CLI's hint, or the CLI's
 * own code and message.
 */
export function errorJson(err: CliError): { error: Record<string, unknown> } {
  const body = err instanceof EngineRefusedError ? err.body : {};
  return {
    error: {
      ...body,
      code: err.code,
      message: err.message,
      ...(err instanceof EngineRefusedError ? { status: err.status } : {}),
      ...(err.hint ? { hint: err.hint } : {}),
      ...(err.detail ? { detail: err.detail } : {}),
      exit_code: err.exitCode,
    },
  };
}

/** The engine's "(and 4 more problem(s), see "issues")": the CLI prints the issues instead. */
export function withoutMoreNote(message: string): string {
  return message.replace(/ \(and \d+ more problem\(s\), see "issues"\)$/, '');
}
