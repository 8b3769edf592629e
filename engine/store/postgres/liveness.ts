/**
 * Which engine processes are alive, as PostgreSQL itself knows it: each store instance holds
 * a session advisory lock keyed by its id on its listening connection (change-feed.ts) for
 * as long as it runs. A process that dies loses its session, and so the lock, at once; no
 * heartbeat table to keep or expire.
 */
export const LIVENESS_LOCK_CLASS = 0x0c10a11e;

/** Takes the instance's lock (on the connection that lives as long as the instance). */
export const HOLD_LIVENESS = 'SELECT pg_advisory_lock($1, hashtext($2))';

/**
 * SQL true when the instance named by the expression `owner` holds its lock in this database,
 * with `$n` the parameter that carries LIVENESS_LOCK_CLASS.
 */
export function ownerAlive(owner: string, classParam: string): string {
  return `EXISTS (SELECT 1 FROM pg_locks l
    WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
      AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND l.classid = ${classParam}::int::oid AND l.objid = hashtext(${owner})::oid)`;
}
