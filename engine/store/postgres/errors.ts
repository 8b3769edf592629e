import { EngineError } from '../../errors.ts';

/**
 * PostgreSQL does not answer: unreachable at start (wrong host or port, server down,
 * authentication refused, database missing), or the connection broke during an operation.
 * 503: the caller may try again (a WeChat push answered 503 is retried by WeChat and
 * deduplicated when it lands). `where` names host, port and database, never the password.
 */
export class DatabaseUnavailableError extends EngineError {
  constructor(where: string, reason: string, cause?: unknown) {
    super(
      'E_DATABASE_UNAVAILABLE',
      `PostgreSQL at ${where} is not available (${reason}). Check that the server runs and that CLOUDFN_DATABASE_URL names the right host, port, database, user and password.`,
      { status: 503, details: { database: where }, cause },
    );
    this.name = 'DatabaseUnavailableError';
  }
}

/**
 * Codes and SQLSTATE classes that mean "the server or the connection is gone" rather than
 * "this statement is wrong": node's socket errors, class 08 (connection exception), 57P0x
 * (shutdown, crash, cannot connect now), 53300 (too many connections), 28xxx (auth), 3D000
 * (no such database).
 */
export function isConnectionFailure(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (/^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH)$/.test(code))
      return true;
    if (/^(08|57P0|28)/.test(code) || code === '53300' || code === '3D000') return true;
  }
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Cannot use a pool after calling end/i.test(
    err.message,
  );
}

/** Host, port and database of a URL, for messages and logs (no user, no password). */
export function describeDatabase(url: string): string {
  try {
    const parsed = new URL(url);
    const host = parsed.hostname || parsed.searchParams.get('host') || 'localhost';
    return `${host}:${parsed.port || '5432'}${parsed.pathname || '/'}`;
  } catch {
    return 'the configured URL';
  }
}
