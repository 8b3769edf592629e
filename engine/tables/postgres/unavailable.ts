/**
 * A refused or lost connection to the tables' PostgreSQL is E_DATABASE_UNAVAILABLE (503),
 * as in the engine store, whose error class and test of "the connection is gone" are reused
 * (engine/store/postgres/errors.ts): the admin API answers 503, a function's table call
 * rejects with that code and a message naming the server, never a driver error as a 500.
 */
import {
  DatabaseUnavailableError,
  describeDatabase,
  isConnectionFailure,
} from '../../store/postgres/errors.ts';

export { describeDatabase };

/** Runs `fn`; a connection failure becomes DatabaseUnavailableError, other errors pass as they are. */
export async function whileConnected<T>(where: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof DatabaseUnavailableError || !isConnectionFailure(err)) throw err;
    throw new DatabaseUnavailableError(where, (err as Error).message, err);
  }
}
