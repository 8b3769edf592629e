/**
 * What one engine process does (`cloudfn serve --role`, CLOUDFN_ROLE), so receivers and
 * workers can be scaled apart behind a load balancer on one PostgreSQL (docs/deployment.md).
 */
import { ValidationError } from './errors.ts';

export const ROLES = ['all', 'receiver', 'worker'] as const;
export type Role = (typeof ROLES)[number];

/** The parts of the engine a role starts. */
export interface RoleParts {
  /**
   * WeChat, incoming hooks, the admin API and the console, with the intake. Passive replies
   * run here too: their function must answer within WeChat's 5 s, so the process that holds
   * the request runs it on its own executor (kept by every role that serves HTTP).
   */
  serves: boolean;
  /** The dispatcher, the job runner, timers, retention: the work behind the queue. */
  works: boolean;
}

/** What each role starts; a worker's HTTP is /healthz only (the load balancer's probe). */
export function partsOf(role: Role): RoleParts {
  return { serves: role !== 'worker', works: role !== 'receiver' };
}

/** Reads CLOUDFN_ROLE / --role; undefined means `all`. */
export function parseRole(raw: string | undefined): Role {
  if (raw === undefined) return 'all';
  const role = ROLES.find((r) => r === raw.toLowerCase());
  if (role === undefined)
    throw new ValidationError(
      'E_CONFIG_INVALID',
      `CLOUDFN_ROLE must be one of ${ROLES.join(', ')}, not "${raw}".`,
      { setting: 'CLOUDFN_ROLE' },
    );
  return role;
}

/**
 * A role short of `all` only makes sense with other processes on the same state: on SQLite
 * one process owns the file, and a receiver alone would accept pushes nobody ever runs.
 */
export function checkRoleHasSharedState(role: Role, databaseUrl: string | undefined): void {
  if (role === 'all' || databaseUrl !== undefined) return;
  throw new ValidationError(
    'E_CONFIG_INVALID',
    `--role ${role} (CLOUDFN_ROLE=${role}) needs the engine's state on PostgreSQL, shared with other processes: set CLOUDFN_DATABASE_URL (or --database-url), or run --role all on SQLite.`,
    { setting: 'CLOUDFN_ROLE' },
  );
}

/** The role of CLOUDFN_ROLE / --role, checked against where the state lives. */
export function resolveRole(raw: string | undefined, databaseUrl: string | undefined): Role {
  const role = parseRole(raw);
  checkRoleHasSharedState(role, databaseUrl);
  return role;
}
