/**
 * The composition root: the one place that picks implementations (SQLite stores, executor
 * sandbox, system clock) and wires the engine together from a resolved Config.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import type { Config } from './config.ts';
import { systemClock, type Clock } from './clock.ts';
import { randomIds, type Ids } from './ids.ts';
import { resolveAdminToken } from './admin-token.ts';
import { openSqliteEngineStore, type EngineStore } from './store/index.ts';
import { SqliteTableStore } from './tables/index.ts';
import type { TableChange, TableStore } from './tables/table-store.ts';
import { createSandbox } from '../runtime/index.ts';
import type { NestedInvoke, Sandbox } from '../runtime/sandbox.ts';
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
import { AccountRegistry, GroupCommitInbox, startInboxRetention } from './receiver/index.ts';
import { adminRoutesOf, createApp, type AdminRoute } from './http/app.ts';
import { registerWechatRoutes } from './http/wechat-routes.ts';
import { registerHookRoutes } from './http/hooks-routes.ts';
import { registerAccountRoutes } from './http/admin/accounts-routes.ts';
import { registerFunctionRoutes } from './http/admin/functions-routes.ts';
import { registerTriggerRoutes } from './http/admin/triggers-routes.ts';
import { registerInboxRoutes } from './http/admin/inbox-routes.ts';
import { registerTableRoutes } from './tables/http-routes.ts';
import { registerOpenApiRoute } from './http/openapi.ts';
import { engineCatalogue } from './dispatch/trigger-references.ts';

const TABLES_HOST_OPS = fileURLToPath(new URL('./tables/sandbox-host-ops.ts', import.meta.url));

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

  const store = openSqliteEngineStore(path.join(config.dataDir, 'engine.db'));
  const tablesPath = path.join(config.dataDir, 'tables.db');
  const tables: TableStore = new SqliteTableStore({ path: tablesPath });
  const registry = new TriggerRegistry(store.triggers);
  // Every source writes accepted events through one group-committing writer: each is durable
  // (synchronous=FULL, its own transaction) before anyone is told it was accepted.
  const inbox = new GroupCommitInbox(store.inbox);

  // Parts built later that earlier callbacks need: filled in below, before the server starts.
  const late: { dispatcher?: Dispatcher; functions?: FunctionService } = {};
  const wakeDispatcher = () => late.dispatcher?.wake();
  const acceptTableChange = (change: TableChange) => {
    if (!registry.hasTableTriggers(change.table.name)) return;
    inbox
      .accept({
        id: ids.id(),
        source: 'table',
        key: change.table.name,
        dedupKey: null,
        data: {
          event: change.event,
          before: change.before,
          after: change.after,
          table: change.table.name,
        },
        receivedAt: clock.now(),
      })
      .then(wakeDispatcher, (err: unknown) =>
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
  });

  const sandbox: Sandbox = createSandbox({
    hostOps: { module: TABLES_HOST_OPS, options: { dbPath: tablesPath } },
    nestedInvoke,
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
  const functions = createFunctionService({ store, sandbox, clock, ids });
  late.functions = functions;

  const runner = new JobRunner({
    store,
    clock,
    log,
    executors: {
      function: functionAction(functions),
      table: tableAction(tables),
      webhook: webhookAction({ allowPrivate: config.webhookAllowPrivate }),
    },
    options: { concurrency: 32, perLane: 8 },
  });
  const dispatcher = new Dispatcher({
    store,
    registry,
    clock,
    ids,
    log,
    onQueued: () => runner.wake(),
  });
  late.dispatcher = dispatcher;
  const timers = new TimerScheduler({ store, inbox, clock, ids, log, onAccepted: wakeDispatcher });
  registry.onReload(() => timers.schedule(registry.definitions()));
  const triggerAdmin = new TriggerAdmin({
    store,
    registry,
    clock,
    ids,
    webhookAllowPrivate: config.webhookAllowPrivate,
    references: engineCatalogue({ store, tables }),
  });
  const assertUnused = triggerAdmin.assertUnused.bind(triggerAdmin);
  const accounts = new AccountRegistry(store.accounts);

  let ready = false;
  const app = createApp({
    adminToken,
    log,
    ready: () => ready,
    public: [
      (r) =>
        registerWechatRoutes(r, {
          store,
          inbox,
          accounts,
          registry,
          functions,
          clock,
          ids,
          log,
          onAccepted: wakeDispatcher,
        }),
      (r) => registerHookRoutes(r, { store, inbox, clock, ids, onAccepted: wakeDispatcher }),
    ],
    admin: [
      (r) => registerOpenApiRoute(r),
      (r) => registerAccountRoutes(r, { accounts, clock, assertUnused }),
      (r) => registerFunctionRoutes(r, { store, functions, assertUnused }),
      (r) => registerTableRoutes(r, { tables, assertUnused }),
      (r) => registerInboxRoutes(r, { store, onReplay: wakeDispatcher }),
      (r) =>
        registerTriggerRoutes(r, {
          store,
          triggers: triggerAdmin,
          clock,
          onReplay: () => runner.wake(),
        }),
    ],
  });

  const server = http.createServer(app.callback());
  // WeChat gives 5 s; slow or stuck clients must not hold sockets for long.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  // Work left by a previous run: claimed firings run again (at-least-once), pending pushes dispatch.
  store.queue.releaseClaims();
  store.jobs.failInterrupted(clock.now());
  const retention = startInboxRetention({
    inbox: store.inbox,
    clock,
    retentionDays: config.inboxRetentionDays,
    log,
  });
  const logRetention = startTriggerLogRetention({
    logs: store.triggerLogs,
    clock,
    retentionDays: config.triggerLogRetentionDays,
    log,
  });
  const jobRetention = startJobRetention({
    jobs: store.jobs,
    clock,
    retentionDays: config.jobRetentionDays,
    log,
  });
  timers.schedule(registry.definitions());
  dispatcher.wake();
  runner.wake();
  ready = true;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    adminToken,
    adminTokenGenerated: generated,
    adminRoutes: adminRoutesOf(app),
    store,
    tables,
    functions,
    log,
    async settled() {
      for (;;) {
        await dispatcher.idle();
        await runner.idle();
        await new Promise((resolve) => setImmediate(resolve));
        const due = store.queue.nextRunAt();
        if (
          store.inbox.pending(1).length === 0 &&
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
        timers.stop();
        retention.stop();
        logRetention.stop();
        jobRetention.stop();
        server.closeIdleConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await dispatcher.idle();
        await runner.stop();
        await sandbox.close();
        tables.close();
        store.close();
      })();
      return closing;
    },
  };
}
