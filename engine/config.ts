import path from 'node:path';
import { ValidationError } from './errors.ts';

/** The engine's resolved configuration: read once at start, passed down, never re-read. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** When undefined, the engine generates one on first start and keeps it in the data dir. */
  adminToken: string | undefined;
  /** Lets outgoing webhooks reach loopback and private networks (off: SSRF guard). */
  webhookAllowPrivate: boolean;
  inboxRetentionDays: number;
  triggerLogRetentionDays: number;
  /** Job rows (functions' runs, with their logs) older than this are pruned. */
  jobRetentionDays: number;
  /** `BaaS.invoke` runs of one function in flight at once; past it calls are refused. */
  invokeMaxInFlight: number;
  /** Executor processes running isolates. */
  executors: number;
  /** A run using this much CPU makes its function suspect: it moves to the quarantine executor. */
  suspectCpuMs: number;
  /** The share of one core (percent) a suspect that keeps offending gets, over time. */
  quarantineCpuPercent: number;
  logLevel: string;
}

export type ConfigInput = Partial<Record<keyof Config, string | number | boolean | undefined>>;

/**
 * Builds the Config from the environment, then flags (flags win), applying defaults.
 * Invalid values are refused with E_CONFIG_INVALID naming the setting.
 */
export function resolveConfig(env: NodeJS.ProcessEnv, flags: ConfigInput = {}): Config {
  const pick = (key: keyof Config, envName: string): string | undefined => {
    const flag = flags[key];
    if (flag !== undefined && flag !== '') return String(flag);
    const fromEnv = env[envName];
    return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
  };
  return {
    port: integer('PORT', pick('port', 'PORT'), 3000, 0, 65535),
    host: pick('host', 'HOST') ?? '127.0.0.1',
    dataDir: path.resolve(pick('dataDir', 'CLOUDFN_DATA_DIR') ?? './data'),
    adminToken: pick('adminToken', 'CLOUDFN_ADMIN_TOKEN'),
    webhookAllowPrivate: boolean(pick('webhookAllowPrivate', 'CLOUDFN_WEBHOOK_ALLOW_PRIVATE')),
    inboxRetentionDays: integer(
      'CLOUDFN_INBOX_RETENTION_DAYS',
      pick('inboxRetentionDays', 'CLOUDFN_INBOX_RETENTION_DAYS'),
      7,
      1,
      3650,
    ),
    triggerLogRetentionDays: integer(
      'CLOUDFN_LOG_RETENTION_DAYS',
      pick('triggerLogRetentionDays', 'CLOUDFN_LOG_RETENTION_DAYS'),
      180,
      1,
      3650,
    ),
    jobRetentionDays: integer(
      'CLOUDFN_JOB_RETENTION_DAYS',
      pick('jobRetentionDays', 'CLOUDFN_JOB_RETENTION_DAYS'),
      30,
      1,
      3650,
    ),
    invokeMaxInFlight: integer(
      'CLOUDFN_INVOKE_MAX_IN_FLIGHT',
      pick('invokeMaxInFlight', 'CLOUDFN_INVOKE_MAX_IN_FLIGHT'),
      100,
      1,
      100_000,
    ),
    executors: integer('CLOUDFN_EXECUTORS', pick('executors', 'CLOUDFN_EXECUTORS'), 1, 1, 64),
    suspectCpuMs: integer(
      'CLOUDFN_SUSPECT_CPU_MS',
      pick('suspectCpuMs', 'CLOUDFN_SUSPECT_CPU_MS'),
      100,
      1,
      900_000,
    ),
    quarantineCpuPercent: integer(
      'CLOUDFN_QUARANTINE_CPU_PERCENT',
      pick('quarantineCpuPercent', 'CLOUDFN_QUARANTINE_CPU_PERCENT'),
      10,
      1,
      100,
    ),
    logLevel: pick('logLevel', 'CLOUDFN_LOG_LEVEL') ?? 'info',
  };
}

function integer(
  name: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(
      'E_CONFIG_INVALID',
      `${name} must be an integer from ${min} to ${max}, not "${raw}".`,
      { setting: name },
    );
  }
  return value;
}

function boolean(raw: string | undefined): boolean {
  return raw !== undefined && ['1', 'true', 'yes', 'on'].includes(raw.toLowerCase());
}
