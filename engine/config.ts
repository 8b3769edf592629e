import path from 'node:path';
import { ValidationError } from './errors.ts';
import { resolveRole, type Role } from './role.ts';

/** The engine's resolved configuration: read once at start, passed down, never re-read. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** When undefined, the engine generates one on first start and keeps it in the data dir. */
  adminToken: string | undefined;
  /**
   * Lets outgoing webhooks and functions' fetch/BaaS.request reach loopback and private
   * networks (off: SSRF guard). CLOUDFN_OUTBOUND_ALLOW_PRIVATE or CLOUDFN_WEBHOOK_ALLOW_PRIVATE.
   */
  webhookAllowPrivate: boolean;
  /** Key of the secrets at rest (base64, 32 bytes); else data/secrets.key. Never logged. */
  secretsKey: string | undefined;
  /** The previous key during a rotation: rows sealed with it are re-encrypted at start. */
  secretsKeyOld: string | undefined;
  /** WeChat's API base URL (a fake in tests). */
  wechatApiUrl: string;
  /** Per run of a function: HTTP requests, bytes of answers, milliseconds waiting. */
  outboundMaxRequests: number;
  outboundMaxResponseBytes: number;
  outboundTimeMs: number;
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
  /** Web console sessions end after this many minutes without a request. */
  consoleIdleMinutes: number;
  /**
   * When a push is answered `success` (CLOUDFN_DURABILITY, docs/deployment.md): `fsync` once
   * its commit is on disk (survives a power loss), `process` once it is committed to the log
   * without waiting for the disk (survives the engine's crash, not the machine's).
   */
  durability: Durability;
  /**
   * `postgres://…`: the engine's state lives in this PostgreSQL database (several engine
   * processes may share it); undefined: in SQLite under the data dir. Never logged (it may
   * hold a password).
   */
  databaseUrl: string | undefined;
  /** Connections each engine process keeps open to PostgreSQL at most. */
  databasePoolSize: number;
  /** What this process runs (engine/role.ts): everything, the HTTP intake, or the queue's work. */
  role: Role;
  /**
   * How long a claimed firing stays with this process unless renewed: after it, a firing of a
   * process that died is taken over by another (shared database only; renewed every third).
   */
  claimLeaseMs: number;
  /** Actions (function runs, table writes, webhooks) this process runs at once, in all. */
  runConcurrency: number;
  /**
   * Runs at once of one function (or one table or webhook action) in this process: below
   * `runConcurrency`, so one busy function cannot take every slot from the others.
   */
  functionConcurrency: number;
}

/** The values of CLOUDFN_DURABILITY, the default first. */
export const DURABILITY_MODES = ['fsync', 'process'] as const;
export type Durability = (typeof DURABILITY_MODES)[number];

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
    webhookAllowPrivate:
      boolean(pick('webhookAllowPrivate', 'CLOUDFN_WEBHOOK_ALLOW_PRIVATE')) ||
      boolean(pick('webhookAllowPrivate', 'CLOUDFN_OUTBOUND_ALLOW_PRIVATE')),
    secretsKey: pick('secretsKey', 'CLOUDFN_SECRETS_KEY'),
    secretsKeyOld: pick('secretsKeyOld', 'CLOUDFN_SECRETS_KEY_OLD'),
    wechatApiUrl: httpUrl(
      'CLOUDFN_WECHAT_API_URL',
      pick('wechatApiUrl', 'CLOUDFN_WECHAT_API_URL') ?? 'https://api.weixin.qq.com',
    ),
    outboundMaxRequests: integer(
      'CLOUDFN_OUTBOUND_MAX_REQUESTS',
      pick('outboundMaxRequests', 'CLOUDFN_OUTBOUND_MAX_REQUESTS'),
      50,
      0,
      100_000,
    ),
    outboundMaxResponseBytes: integer(
      'CLOUDFN_OUTBOUND_MAX_RESPONSE_BYTES',
      pick('outboundMaxResponseBytes', 'CLOUDFN_OUTBOUND_MAX_RESPONSE_BYTES'),
      10 * 1024 * 1024,
      0,
      1024 * 1024 * 1024,
    ),
    outboundTimeMs: integer(
      'CLOUDFN_OUTBOUND_TIME_MS',
      pick('outboundTimeMs', 'CLOUDFN_OUTBOUND_TIME_MS'),
      30_000,
      100,
      900_000,
    ),
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
    consoleIdleMinutes: integer(
      'CLOUDFN_CONSOLE_IDLE_MINUTES',
      pick('consoleIdleMinutes', 'CLOUDFN_CONSOLE_IDLE_MINUTES'),
      30,
      1,
      1440,
    ),
    durability: durability(pick('durability', 'CLOUDFN_DURABILITY')),
    databaseUrl: postgresUrl('CLOUDFN_DATABASE_URL', pick('databaseUrl', 'CLOUDFN_DATABASE_URL')),
    databasePoolSize: integer(
      'CLOUDFN_DATABASE_POOL_SIZE',
      pick('databasePoolSize', 'CLOUDFN_DATABASE_POOL_SIZE'),
      10,
      2,
      1000,
    ),
    claimLeaseMs: integer(
      'CLOUDFN_CLAIM_LEASE_MS',
      pick('claimLeaseMs', 'CLOUDFN_CLAIM_LEASE_MS'),
      60_000,
      1000,
      3_600_000,
    ),
    role: resolveRole(pick('role', 'CLOUDFN_ROLE'), pick('databaseUrl', 'CLOUDFN_DATABASE_URL')),
    ...concurrency(
      pick('runConcurrency', 'CLOUDFN_RUN_CONCURRENCY'),
      pick('functionConcurrency', 'CLOUDFN_FUNCTION_CONCURRENCY'),
    ),
  };
}

/**
 * The job runner's slots: in all (32 by default) and per function (16 by default: half, so a
 * function whose runs wait on something slow leaves the other half to the rest). Per process.
 */
function concurrency(
  runRaw: string | undefined,
  functionRaw: string | undefined,
): Pick<Config, 'runConcurrency' | 'functionConcurrency'> {
  const runConcurrency = integer('CLOUDFN_RUN_CONCURRENCY', runRaw, 32, 1, 1024);
  const functionConcurrency = integer(
    'CLOUDFN_FUNCTION_CONCURRENCY',
    functionRaw,
    Math.min(16, runConcurrency),
    1,
    1024,
  );
  if (functionConcurrency > runConcurrency)
    throw new ValidationError(
      'E_CONFIG_INVALID',
      `CLOUDFN_FUNCTION_CONCURRENCY (${functionConcurrency}) cannot exceed CLOUDFN_RUN_CONCURRENCY (${runConcurrency}): a function's runs are part of all runs; raise CLOUDFN_RUN_CONCURRENCY or lower CLOUDFN_FUNCTION_CONCURRENCY.`,
      { setting: 'CLOUDFN_FUNCTION_CONCURRENCY' },
    );
  return { runConcurrency, functionConcurrency };
}

function durability(raw: string | undefined): Durability {
  if (raw === undefined) return DURABILITY_MODES[0];
  const mode = DURABILITY_MODES.find((m) => m === raw.toLowerCase());
  if (mode === undefined) {
    throw new ValidationError(
      'E_CONFIG_INVALID',
      `CLOUDFN_DURABILITY (--durability) must be one of ${DURABILITY_MODES.join(', ')}, not "${raw}".`,
      { setting: 'CLOUDFN_DURABILITY' },
    );
  }
  return mode;
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

function httpUrl(name: string, raw: string): string {
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new ValidationError('E_CONFIG_INVALID', `${name} must be an http(s) URL, not "${raw}".`, {
      setting: name,
    });
  }
  return raw.replace(/\/+$/, '');
}

/**
 * A PostgreSQL connection URL, checked for its form only (reachability is checked when the
 * store opens). The message never repeats the value: it may hold a password.
 */
function postgresUrl(name: string, raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')) {
    throw new ValidationError(
      'E_CONFIG_INVALID',
      `${name} must be a PostgreSQL URL (postgres://user:password@host:5432/database), and the value given is not one.`,
      { setting: name },
    );
  }
  if (url.hostname === '' && !url.searchParams.has('host'))
    throw new ValidationError(
      'E_CONFIG_INVALID',
      `${name} names no host: postgres://user:password@host:5432/database.`,
      { setting: name },
    );
  return raw;
}

function boolean(raw: string | undefined): boolean {
  return raw !== undefined && ['1', 'true', 'yes', 'on'].includes(raw.toLowerCase());
}
