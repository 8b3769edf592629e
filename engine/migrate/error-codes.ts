/**
 * `cloudfn migrate` (moving a data dir into PostgreSQL): its refusals. The command runs in the
 * CLI, never behind HTTP; the statuses say which kind of refusal each is (400 the arguments,
 * 404 nothing to move, 409 the state of the source or the target).
 */
export const MIGRATE_ERRORS = {
  E_MIGRATE_UNKNOWN_SOURCE: 400,
  E_MIGRATE_UNKNOWN_TARGET: 400,
  E_MIGRATE_NO_SOURCE: 404,
  E_MIGRATE_SOURCE_SCHEMA: 409,
  E_MIGRATE_ENGINE_RUNNING: 409,
  E_MIGRATE_TARGET_NOT_EMPTY: 409,
  E_MIGRATE_ROW_REFUSED: 409,
  E_MIGRATE_VERIFY_FAILED: 409,
} as const;
