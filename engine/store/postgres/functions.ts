import type { FunctionStore } from '../ports.ts';
import { NotFoundError } from '../../errors.ts';
import { toFunction, toVersion, type FunctionRow, type VersionRow } from '../rows/functions.ts';
import { query, transaction, type PgPools } from './pool.ts';

const versionNotFound = (name: string, version: number) =>
  new NotFoundError(
    'E_FUNCTION_VERSION_NOT_FOUND',
    `Function "${name}" has no version ${version}.`,
    {
      function: name,
      version,
    },
  );

/**
 * Functions and their numbered versions on PostgreSQL. Deploys, rollbacks and deletes notify
 * `channel` with the function's name at their commit: every process drops what it cached of
 * the active version.
 */
export function postgresFunctionStore(db: PgPools, channel: string): FunctionStore {
  const { durable, where } = db;
  return {
    deploy: (name, v, now) =>
      transaction(durable, where, async (client) => {
        // The function's row, created if new, then locked: deploys of one function from
        // several processes number their versions one after the other.
        const inserted = await client.query(
          `INSERT INTO functions (name, active_version, created_at, updated_at) VALUES ($1, 0, $2, $2)
           ON CONFLICT (name) DO NOTHING`,
          [name, now],
        );
        await client.query('SELECT 1 FROM functions WHERE name = $1 FOR UPDATE', [name]);
        const { rows: max } = await client.query<{ v: number | null }>(
          'SELECT max(version) AS v FROM function_versions WHERE name = $1',
          [name],
        );
        const version = (max[0]?.v ?? 0) + 1;
        const { rows: versions } = await client.query<VersionRow>(
          `INSERT INTO function_versions (name, version, code, sha256, timeout_ms, memory_mb, env, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
          [name, version, v.code, v.sha256, v.timeoutMs, v.memoryMb, JSON.stringify(v.env), now],
        );
        const { rows: fns } = await client.query<FunctionRow>(
          'UPDATE functions SET active_version = $2, updated_at = $3 WHERE name = $1 RETURNING *, pg_notify($4, name)',
          [name, version, now, channel],
        );
        return {
          fn: toFunction(fns[0]!),
          version: toVersion(versions[0]!),
          created: inserted.rowCount === 1,
        };
      }),
    async get(name) {
      const { rows } = await query<FunctionRow>(
        durable,
        where,
        'SELECT * FROM functions WHERE name = $1',
        [name],
      );
      return rows[0] && toFunction(rows[0]);
    },
    async getVersion(name, version) {
      const { rows } = await query<VersionRow>(
        durable,
        where,
        'SELECT * FROM function_versions WHERE name = $1 AND version = $2',
        [name, version],
      );
      return rows[0] && toVersion(rows[0]);
    },
    async getActive(name) {
      const { rows } = await query<VersionRow>(
        durable,
        where,
        `SELECT v.* FROM function_versions v
         JOIN functions f ON f.name = v.name AND f.active_version = v.version WHERE f.name = $1`,
        [name],
      );
      return rows[0] && toVersion(rows[0]);
    },
    async list() {
      const { rows } = await query<FunctionRow>(
        durable,
        where,
        'SELECT * FROM functions ORDER BY name COLLATE "C"',
      );
      return rows.map(toFunction);
    },
    async listVersions(name) {
      const { rows } = await query<VersionRow>(
        durable,
        where,
        'SELECT * FROM function_versions WHERE name = $1 ORDER BY version DESC',
        [name],
      );
      return rows.map(toVersion);
    },
    async activate(name, version, now) {
      // One statement: the version must exist when the pointer moves.
      const { rows } = await query<FunctionRow>(
        durable,
        where,
        `UPDATE functions SET active_version = $2, updated_at = $3
         WHERE name = $1 AND EXISTS (SELECT 1 FROM function_versions WHERE name = $1 AND version = $2)
         RETURNING *, pg_notify($4, name)`,
        [name, version, now, channel],
      );
      if (rows[0] === undefined) throw versionNotFound(name, version);
      return toFunction(rows[0]);
    },
    async delete(name) {
      // Versions go with it (ON DELETE CASCADE).
      const { rowCount } = await query(
        durable,
        where,
        'DELETE FROM functions WHERE name = $1 RETURNING pg_notify($2, name)',
        [name, channel],
      );
      return (rowCount ?? 0) > 0;
    },
  };
}
