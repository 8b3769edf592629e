/**
 * The engine's own state, table by table, from engine.db (engine/store/sqlite/migrations.ts)
 * to the PostgreSQL schema (engine/store/postgres/migrations.ts) (pure). Rows are copied with
 * explicit SQL rather than through the store ports: the ports stamp times, make ids and seal
 * secrets afresh, and a moved row must keep all of them. Sealed secrets move as they are (both
 * backends seal under the same per-column contexts, engine/store/rows/accounts.ts), so the
 * PostgreSQL engines need the same secrets key.
 *
 * What differs between the two schemas, and how it is mapped:
 * - `seq` (PostgreSQL's order of inbox entries, trigger logs, queue items and jobs) is the
 *   SQLite rowid, the insertion order there;
 * - `triggers.enabled` 0/1 becomes a boolean; the emptied `webhook_key` column (migration 4
 *   keeps only the hash and hint) stays behind;
 * - `inbox.dispatched` (0 pending, 1 dispatched, 2 set aside) is `inbox.status`;
 * - a queue item carries its trigger, lane and inbox entry on PostgreSQL: read from its log
 *   row (a queue item without one cannot run on SQLite either, and is not moved); claims are
 *   released, as the next SQLite start would (`releaseAbandoned`);
 * - a job's `owner` (the PostgreSQL process that runs it) is NULL: a job left `executing` is
 *   closed as interrupted by the first PostgreSQL engine, as the next SQLite start would.
 */
import type { Kind } from './canonical.ts';
import type { TableSpec } from './table-spec.ts';

/** The SQLite schema version (`PRAGMA user_version` of engine.db) this mapping reads. */
export const ENGINE_DB_VERSION = 5;

type Col = [name: string, kind: Kind, sourceExpr?: string];

const quote = (name: string) => `"${name}"`;

function spec(
  table: string,
  key: { source: string[]; target: string[]; conflict: string[] },
  cols: Col[],
  options: { from?: string; sequence?: string } = {},
): TableSpec {
  return {
    name: `engine.${table}`,
    source: {
      from: options.from ?? table,
      key: key.source,
      select: cols.map(([name, , expr]) => expr ?? quote(name)),
    },
    target: {
      table,
      key: key.target,
      columns: cols.map(([name]) => quote(name)),
      conflict: key.conflict,
      ...(options.sequence ? { sequence: options.sequence } : {}),
    },
    kinds: cols.map(([, kind]) => kind),
  };
}

/** Keyed by a text primary key (compared bytewise on both sides). */
const byText = (...columns: string[]) => ({
  source: columns.map(quote),
  target: columns.map((c) => `${quote(c)} COLLATE "C"`),
  conflict: columns.map(quote),
});

/** Keyed by insertion order: the SQLite rowid, which becomes `seq`. */
const byRowid = (rowid = 'rowid') => ({
  source: [rowid],
  target: ['seq'],
  conflict: ['id'],
});

/** In an order that satisfies the foreign keys (versions after their function). */
export const ENGINE_TABLES: readonly TableSpec[] = [
  spec('settings', byText('key'), [
    ['key', 'text'],
    ['value', 'text'],
  ]),
  spec('accounts', byText('app_id'), [
    ['app_id', 'text'],
    ['token', 'text'],
    ['aes_key', 'text'],
    ['previous_aes_key', 'text'],
    ['app_secret', 'text'],
    ['mode', 'text'],
    ['created_at', 'int'],
    ['updated_at', 'int'],
  ]),
  spec('wechat_tokens', byText('app_id'), [
    ['app_id', 'text'],
    ['token', 'text'],
    ['expires_at', 'int'],
    ['fetched_at', 'int'],
  ]),
  spec(
    'wechat_token_fetches',
    {
      source: ['"app_id"', '"day"'],
      target: ['"app_id" COLLATE "C"', '"day" COLLATE "C"'],
      conflict: ['"app_id"', '"day"'],
    },
    [
      ['app_id', 'text'],
      ['day', 'text'],
      ['fetches', 'int'],
      ['failures', 'int'],
    ],
  ),
  spec('functions', byText('name'), [
    ['name', 'text'],
    ['active_version', 'int'],
    ['created_at', 'int'],
    ['updated_at', 'int'],
  ]),
  spec(
    'function_versions',
    {
      source: ['"name"', '"version"'],
      target: ['"name" COLLATE "C"', '"version"'],
      conflict: ['"name"', '"version"'],
    },
    [
      ['name', 'text'],
      ['version', 'int'],
      ['code', 'text'],
      ['sha256', 'text'],
      ['timeout_ms', 'int'],
      ['memory_mb', 'int'],
      ['env', 'text'],
      ['created_at', 'int'],
    ],
  ),
  spec('triggers', byText('name'), [
    ['name', 'text'],
    ['type', 'text'],
    ['enabled', 'bool'],
    ['definition', 'text'],
    ['webhook_key_hash', 'text'],
    ['webhook_key_hint', 'text'],
    ['created_at', 'int'],
    ['updated_at', 'int'],
  ]),
  spec(
    'inbox',
    byRowid(),
    [
      ['seq', 'int', 'rowid'],
      ['id', 'text'],
      ['source', 'text'],
      ['key', 'text'],
      ['dedup_key', 'text'],
      ['data', 'text'],
      ['received_at', 'int'],
      ['status', 'int', '"dispatched"'],
      ['dispatch_error', 'text'],
      ['failed_at', 'int'],
    ],
    { sequence: 'seq' },
  ),
  spec(
    'trigger_logs',
    byRowid(),
    [
      ['seq', 'int', 'rowid'],
      ['id', 'text'],
      ['trigger', 'text'],
      ['triggered_at', 'int'],
      ['inbox_id', 'text'],
      ['event', 'text'],
      ['action_index', 'int'],
      ['action', 'text'],
      ['event_type', 'text'],
      ['lane', 'text'],
      ['status', 'text'],
      ['attempts', 'int'],
      ['error_type', 'text'],
      ['error', 'text'],
      ['job_id', 'text'],
      ['duration_ms', 'real'],
      ['updated_at', 'int'],
    ],
    { sequence: 'seq' },
  ),
  spec(
    'queue',
    byRowid('q.rowid'),
    [
      ['seq', 'int', 'q.rowid'],
      ['id', 'text', 'q.id'],
      ['trigger', 'text', 'l."trigger"'],
      ['lane', 'text', 'l.lane'],
      ['inbox_id', 'text', 'l.inbox_id'],
      ['attempts', 'int', 'q.attempts'],
      ['run_at', 'int', 'q.run_at'],
      ['owner', 'text', 'NULL'],
      ['lease_until', 'int', 'NULL'],
    ],
    { from: 'queue q JOIN trigger_logs l ON l.id = q.id', sequence: 'seq' },
  ),
  spec(
    'jobs',
    byRowid(),
    [
      ['seq', 'int', 'rowid'],
      ['id', 'text'],
      ['function', 'text'],
      ['version', 'int'],
      ['source', 'text'],
      ['status', 'text'],
      ['created_at', 'int'],
      ['finished_at', 'int'],
      ['duration_ms', 'real'],
      ['cpu_ms', 'real'],
      ['memory_bytes', 'int'],
      ['data', 'text'],
      ['inbox_id', 'text'],
      ['result', 'text'],
      ['error', 'text'],
      ['log', 'text'],
      ['trigger_name', 'text'],
      ['trigger_log_id', 'text'],
      ['owner', 'text', 'NULL'],
    ],
    { sequence: 'seq' },
  ),
];
