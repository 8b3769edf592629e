/**
 * The composition root: the one place that picks implementations (SQLite stores, executor
 * sandbox, system clock) and wires the engine together from a resolved Config.
 */
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import type { Config } from './config.ts';
import type { HostOpsModuleSpec } from '../runtime/index.ts';
import { systemClock, type Clock } from './clock.ts';
import { randomIds, type Ids } from './ids.ts';
import { resolveAdminToken } from './admin-token.ts';
import { partsOf } from './role.ts';
import { refreshCachesOnChange } from './cache-refresh.ts';
import { openSqliteEngineStore, type ChangeFeed, type EngineStore } from './store/index.ts';
import { openPostgresEngineStore } from './store/postgres/index.ts';
import { inProcessChangeFeed } from './store/in-process-change-feed.ts';
import { readQueueNotice } from './store/queue-notice.ts';
import { USER_TABLE, asyncTableStore } from './tables/index.ts';
import { SqliteTableStore } from './tables/sqlite/index.ts';
import { PostgresTableStore } from './tables/postgres/index.ts';
import type { TableChange, TableStore } from './tables/table-store.ts';
import { createSandbox } from '../runtime/index.ts';
import type { HostRequestHandler, NestedInvoke, Sandbox } from '../runtime/sandbox.ts';
import { createFunctionService, type FunctionService } from './functions/function-service.ts';
import { createNestedInvoke } from './functions/nested-invoke.ts';
import { TriggerRegistry } from './dispatch/trigger-registry.ts';
import { TriggerAdmin } from './dispatch/trigger-admin.ts';
import { Dispatcher } from './dispatch/dispatcher.ts';
import { JobRunner } from './dispatch/job-runner.ts';
import { TimerScheduler } from './dispatch/timer-scheduler.ts';
import { startTriggerLogRetention } from './dispatch/trigger-log-retention.ts';
import { startJobRetention } from './dispatch/job-retention.ts';
import { functionAction } from './dispatch/actions/function-action.ts';
import { tableAction } from './dispatch/actions/table-action.ts';
import { webhookAction } from './dispatch/actions/webhook-action.ts';
import { AccountRegistry } from './receiver/index.ts';
import { EventIntake, startInboxRetention } from './inbox/index.ts';
import { adminRoutesOf, createApp, type AdminRoute } from './http/app.ts';
import { createHealthApp } from './http/health-app.ts';
import { registerWechatRoutes } from './http/wechat-routes.ts';
import { registerHookRoutes } from './http/hooks-routes.ts';
import { registerAccountRoutes } from './http/admin/accounts-routes.ts';
import { registerFunctionRoutes } from './http/admin/functions-routes.ts';
import { registerTriggerRoutes } from './http/admin/triggers-routes.ts';
import { registerInboxRoutes } from './http/admin/inbox-routes.ts';
import { registerTableRoutes } from './http/admin/tables-routes.ts';
import { engineCatalogue } from './dispatch/trigger-references.ts';
import { EngineError } from './errors.ts';
import { createSecretBox } from './secrets/secret-box.ts';
import { resolveSecretsKeys, SECRETS_KEY_FILE } from './secrets/secrets-key.ts';
import { createWechatApi } from './wechat-api/index.ts';
import { createHttpHostRequest } from './outbound/http-host-request.ts';
import {
  Activity,
  observedFunctions,
  observedIntake,
  refusedPushes,
} from './http/admin/activity.ts';
import { registerFunctionDraftRoutes } from './http/admin/function-draft-routes.ts';
import { registerMetricsRoutes } from './http/admin/metrics-routes.ts';
import { registerEventsRoutes } from './http/admin/events-routes.ts';
import { registerReplyOpeningRoutes } from './http/admin/reply-opening-routes.ts';

// The executor-side table modules: each executor answers its functions' table calls itself.
const SQLITE_TABLES_HOST_OPS = fileURLToPath(
  new URL('./tables/sqlite/sandbox-host-ops.ts', import.meta.url),
);
const POSTGRES_TABLES_HOST_OPS = fileURLToPath(
  new URL('./tables/postgres/sandbox-host-ops.ts', import.meta.url),
);

/**
 * The data tables: on PostgreSQL when the engine's database URL is set (then every engine
 * process shares them), else in `tables.db` beside engine.db. Answers the port and the
 * module the executors load to reach the same tables.
 */
async function openTables(
  config: Config,
): Promise<{ tables: TableStore; hostOps: HostOpsModuleSpec }> {
  const { databaseUrl, databasePoolSize } = config;
  if (databaseUrl) {
    const tables = await PostgresTableStore.open({ url: databaseUrl, poolSize: databasePoolSize });
    return {
      tables,
      hostOps: { module: POSTGRES_TABLES_HOST_OPS, options: { url: databaseUrl, poolSize: 4 } },
    };
  }
  const dbPath = path.join(config.dataDir, 'tables.db');
  return {
    tables: asyncTableStore(new SqliteTableStore({ path: dbPath })),
    hostOps: { module: SQLITE_TABLES_HOST_OPS, options: { dbPath } },
  };
}

export interface Engine {
  url: string;
  adminToken: string;
  adminTokenGenerated: boolean;
  /** Every route of the admin API, below `/api/v1`. */
  adminRoutes: readonly AdminRoute[];
  store: EngineStore;
  tables: TableStore;
  functions: FunctionService;
  log: Logger;
  /** Resolves when every accepted event has been dispatched and every due action has run. */
  settled(): Promise<void>;
  /** Stops accepting, finishes work in flight, closes everything. */
  close(): Promise<void>;
}

export interface EngineOverrides {
  clock?: Clock;
  ids?: Ids;
  log?: Logger;
}

/** Builds and starts an engine; resolves once it accepts work (GET /healthz is 200). */
export async function startEngine(
  config: Config,
  overrides: EngineOverrides = {},
): Promise<Engine> {
  const clock = overrides.clock ?? systemClock;
  const ids = overrides.ids ?? randomIds;
  const log = overrides.log ?? pino({ level: config.logLevel });
  fs.mkdirSync(config.dataDir, { recursive: true });
  const { token: adminToken, generated } = resolveAdminToken(config.dataDir, config.adminToken);

  // Secrets at rest (AppSecrets, tokens, AES keys) are sealed with a key kept outside engine.db.
  const secretsKeys = resolveSecretsKeys(config.dataDir, {
    key: config.secretsKey,
    oldKey: config.secretsKeyOld,
  });
  if (secretsKeys.source === 'generated')
    log.warn(
      { file: path.join(config.dataDir, SECRETS_KEY_FILE) },
      'generated the key of the secrets at rest: back it up apart from engine.db (docs/deployment.md)',
    );
  const secrets = createSecretBox(secretsKeys.key, secretsKeys.oldKeys);
  // CLOUDFN_DATABASE_URL: the state on PostgreSQL, shared with other engine processes, whose
  // changes arrive on its feed; else SQLite, this process alone (the feed stays in memory).
  const postgres = config.databaseUrl
    ? await openPostgresEngineStore(config.databaseUrl, {
        secrets,
        poolSize: config.databasePoolSize,
        onConnectionError: (err) =>
          log.warn({ err: err.message }, 'PostgreSQL connection lost; it is re-made on demand'),
      })
    : undefined;
  const store: EngineStore =
    postgres ??
    openSqliteEngineStore(path.join(config.dataDir, 'engine.db'), {
      secrets,
      durability: config.durability,
    });
  const changes: ChangeFeed = postgres?.changes ?? inProcessChangeFeed();
  const { tables, hostOps: tablesHostOps } = await openTables(config);
  const registry = await TriggerRegistry.load(store.triggers, log);
  // Every source hands its events to the one intake: each is durable (group commit) before
  // anyone is told it was accepted, and the dispatcher (subscribed below) wakes for it.
  const intake = new EventIntake({ delivery: store.delivery, clock, ids });
  // The live log's feed and the dashboard's counts (web console).
  const activity = new Activity(clock);

  // Built later; BaaS.invoke needs it: filled in below, before the server starts.
  const late: { functions?: FunctionService } = {};
  const acceptTableChange = (change: TableChange) => {
    if (!registry.hasTableTriggers(change.table.name)) return;
    intake
      .accept({
        source: 'table',
        key: change.table.name,
        dedupKey: null,
        data: {
          event: change.event,
          before: change.before,
          after: change.after,
          table: change.table.name,
        },
      })
      .catch((err: unknown) =>
        log.error(
          { err, table: change.table.name },
          'table change not stored: its triggers will not fire',
        ),
      );
  };
  tables.onChange(acceptTableChange);

  // The depth of BaaS.invoke chains and the calls per run are limited by the runtime
  // (runtime/limits.ts), the calls in flight per function here.
  const nestedInvoke: NestedInvoke = createNestedInvoke({
    functions: () => late.functions!,
    log,
    maxInFlightPerFunction: config.invokeMaxInFlight,
    userOf: (id) => tables.getRecord(USER_TABLE, id),
  });

  const accounts = new AccountRegistry(store.accounts);
  // Asynchronous host requests of functions besides BaaS.invoke: WeChat's API and HTTP out.
  const wechatApi = createWechatApi({
    baseUrl: config.wechatApiUrl,
    accounts,
    store: store.accessTokens,
    tables,
    clock,
    log,
  });
  const hostRequests: Record<
    string,
    (args: unknown, scope: Parameters<HostRequestHandler>[2]) => Promise<unknown>
  > = {
    ...wechatApi.hostRequests,
    'http.request': createHttpHostRequest({
      allowPrivate: config.webhookAllowPrivate,
      limits: {
        maxRequests: config.outboundMaxRequests,
        maxResponseBytes: config.outboundMaxResponseBytes,
        timeMs: config.outboundTimeMs,
      },
      clock,
    }),
  };
  const hostRequest: HostRequestHandler = (op, args, scope) => {
    const handler = Object.hasOwn(hostRequests, op) ? hostRequests[op] : undefined;
    return handler
      ? handler(args, scope)
      : Promise.reject(
          new EngineError('E_HOST_REQUEST_UNKNOWN', `The engine has no host request "${op}"`),
        );
  };

  const sandbox: Sandbox = createSandbox({
    hostOps: tablesHostOps,
    nestedInvoke,
    hostRequest,
    onHostEvent: (kind, payload) => {
      if (kind === 'table.change') acceptTableChange(payload as TableChange);
    },
    executors: config.executors,
    limits: {
      suspectCpuMs: config.suspectCpuMs,
      quarantineCpuShare: config.quarantineCpuPercent / 100,
    },
    logger: log,
  });
  const functions = observedFunctions(
    createFunctionService({ store, sandbox, clock, ids }),
    activity,
  );
  late.functions = functions;

  const runner = new JobRunner({
    delivery: store.delivery,
    registry,
    clock,
    log,
    executors: {
      function: functionAction(functions),
      table: tableAction(tables),
      webhook: webhookAction({ allowPrivate: config.webhookAllowPrivate }),
    },
    // This process's name on its claims (SQLite: the only one; PostgreSQL: one of several).
    options: {
      concurrency: config.runConcurrency,
      perLane: config.functionConcurrency,
      owner: `${process.pid}:${randomUUID()}`,
      leaseMs: config.claimLeaseMs,
    },
  });
  // The role (engine/role.ts): a receiver neither dispatches nor runs the queue, a worker
  // serves no HTTP but /healthz. Both parts are built either way; only what the role has starts.
  const role = partsOf(config.role);
  const wakeRunner = () => {
    if (role.works) runner.wake();
  };
  const lanesQueued = (lanes: string[]) => {
    if (role.works) runner.queued(lanes);
  };
  const dispatcher = new Dispatcher({
    delivery: store.delivery,
    registry,
    clock,
    ids,
    log,
    onQueued: lanesQueued,
    ...(role.works ? { intake, slots: runner } : {}),
  });
  const timers = new TimerScheduler({ delivery: store.delivery, intake, clock, log });
  if (role.works) registry.onReload(() => timers.schedule(registry.definitions()));
  // What other processes did: new entries to dispatch, items due; and saved triggers,
  // accounts and function versions, which every process's caches follow (cache-refresh.ts).
  // This process's own wake-ups (PostgreSQL names the sender) were told in memory already:
  // its intake hands the dispatcher what it accepts, its dispatcher wakes its runner.
  const fromOthers = (listener: () => void) => (detail: string) => {
    if (postgres === undefined || detail !== postgres.instanceId) listener();
  };
  if (role.works) {
    changes.subscribe(
      'inbox',
      fromOthers(() => dispatcher.wakeForOthers()),
    );
    // Firings another process queued in named lanes: this runner claims at once only if it
    // holds too few of those lanes' firings already; a notice naming none wakes it for all.
    changes.subscribe('queue', (detail) => {
      const { sender, lanes } = readQueueNotice(detail);
      if (postgres !== undefined && sender === postgres.instanceId) return;
      if (lanes.length > 0) lanesQueued(lanes);
      else wakeRunner();
    });
  }
  const stopRefresh = refreshCachesOnChange(
    changes,
    {
      triggers: () => registry.reload(),
      account: (appId) => accounts.forget(appId),
      functionVersion: (name) => functions.forget(name),
    },
    log,
  );
  const triggerAdmin = new TriggerAdmin({
    store,
    registry,
    clock,
    ids,
    webhookAllowPrivate: config.webhookAllowPrivate,
    references: engineCatalogue({ store, tables }),
  });
  const assertUnused = triggerAdmin.assertUnused.bind(triggerAdmin);

  let ready = false;
  const app = createApp({
    adminToken,
    log,
    ready: () => ready,
    consoleIdleMinutes: config.consoleIdleMinutes,
    public: [
      (r) =>
        registerWechatRoutes(r, {
          store,
          intake: observedIntake(intake, activity),
          accounts,
          registry,
          functions,
          clock,
          ids,
          log,
          observe: refusedPushes(activity),
        }),
      (r) => registerHookRoutes(r, { store, intake, clock }),
    ],
    admin: [
      (r) =>
        registerAccountRoutes(r, {
          accounts,
          clock,
          assertUnused,
          tokenStats: (appId) => wechatApi.tokens.stats(appId),
        }),
      (r) => registerReplyOpeningRoutes(r, { accounts }),
      (r) => registerFunctionDraftRoutes(r, { store, sandbox, ids }),
      (r) =>
        registerFunctionRoutes(r, {
          store,
          functions,
          assertUnused,
          userOf: (id) => tables.getRecord(USER_TABLE, id),
        }),
      (r) => registerMetricsRoutes(r, { store, clock, activity, sandbox }),
      (r) => registerEventsRoutes(r, { activity }),
      (r) => registerTableRoutes(r, { tables, assertUnused }),
      (r) => registerInboxRoutes(r, { store, replay: (id) => intake.replay(id) }),
      (r) =>
        registerTriggerRoutes(r, {
          store,
          triggers: triggerAdmin,
          clock,
          onReplay: wakeRunner,
        }),
    ],
  });

  // A worker's HTTP is the health probe alone (its admin API and receiver are not served).
  const server = http.createServer((role.serves ? app : createHealthApp(() => ready)).callback());
  // WeChat gives 5 s; slow or stuck clients must not hold sockets for long.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
  } catch (err) {
    // EADDRINUSE and the like: release what was started (executor processes, databases) so
    // the caller can exit instead of being kept alive by them.
    await sandbox.close();
    await tables.close();
    await store.close();
    throw err;
  }
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  // Work left by a previous run: claimed firings run again (at-least-once), pending pushes dispatch.
  if (role.works) {
    await store.delivery.releaseAbandoned(clock.now());
    await store.jobs.failInterrupted(clock.now());
  }
  const noRetention = { stop: () => undefined };
  const retention = !role.works
    ? noRetention
    : startInboxRetention({
        delivery: store.delivery,
        clock,
        retentionDays: config.inboxRetentionDays,
        log,
      });
  const logRetention = !role.works
    ? noRetention
    : startTriggerLogRetention({
        logs: store.delivery,
        clock,
        retentionDays: config.triggerLogRetentionDays,
        log,
      });
  const jobRetention = !role.works
    ? noRetention
    : startJobRetention({
        jobs: store.jobs,
        clock,
        retentionDays: config.jobRetentionDays,
        log,
      });
  if (role.works) {
    timers.schedule(registry.definitions());
    dispatcher.wake();
    runner.wake();
  }
  ready = true;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    adminToken,
    adminTokenGenerated: generated,
    adminRoutes: role.serves ? adminRoutesOf(app) : [],
    store,
    tables,
    functions,
    log,
    async settled() {
      for (;;) {
        await dispatcher.idle();
        await runner.idle();
        await new Promise((resolve) => setImmediate(resolve));
        const due = await store.delivery.nextDueAt();
        if (
          (await store.delivery.pending(1)).length === 0 &&
          (due === undefined || due > clock.now()) &&
          !runner.busy()
        )
          return;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    close() {
      closing ??= (async () => {
        ready = false;
        activity.closeAll();
        stopRefresh();
        timers.stop();
        retention.stop();
        logRetention.stop();
        jobRetention.stop();
        server.closeIdleConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await dispatcher.idle();
        await runner.stop();
        await sandbox.close();
        await tables.close();
        await store.close();
      })();
      return closing;
    },
  };
}
