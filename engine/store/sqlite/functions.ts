import type { Database } from 'better-sqlite3';
import type { FunctionStore } from '../ports.ts';
import { NotFoundError } from '../../errors.ts';
import { toFunction, toVersion, type FunctionRow, type VersionRow } from '../rows/functions.ts';

export function sqliteFunctionStore(db: Database): FunctionStore {
  const fnByName = db.prepare<[string], FunctionRow>('SELECT * FROM functions WHERE name = ?');
  const insertFn = db.prepare(
    'INSERT INTO functions (name, active_version, created_at, updated_at) VALUES (?, ?, ?, ?)',
  );
  const setActive = db.prepare(
    'UPDATE functions SET active_version = ?, updated_at = ? WHERE name = ?',
  );
  const maxVersion = db.prepare<[string], { v: number | null }>(
    'SELECT MAX(version) AS v FROM function_versions WHERE name = ?',
  );
  const insertVersion = db.prepare(`
    INSERT INTO function_versions (name, version, code, sha256, timeout_ms, memory_mb, env, created_at)
    VALUES (@name, @version, @code, @sha256, @timeoutMs, @memoryMb, @env, @createdAt)`);
  const versionRow = db.prepare<[string, number], VersionRow>(
    'SELECT * FROM function_versions WHERE name = ? AND version = ?',
  );
  const activeRow = db.prepare<[string], VersionRow>(`
    SELECT v.* FROM function_versions v JOIN functions f ON f.name = v.name AND f.active_version = v.version
    WHERE f.name = ?`);
  const allFns = db.prepare<[], FunctionRow>('SELECT * FROM functions ORDER BY name');
  const versionsOf = db.prepare<[string], VersionRow>(
    'SELECT * FROM function_versions WHERE name = ? ORDER BY version DESC',
  );
  const removeFn = db.prepare('DELETE FROM functions WHERE name = ?');
  const removeVersions = db.prepare('DELETE FROM function_versions WHERE name = ?');

  const deploy = db.transaction(
    (name: string, v: Parameters<FunctionStore['deploy']>[1], now: number) => {
      const existing = fnByName.get(name);
      const version = (maxVersion.get(name)?.v ?? 0) + 1;
      if (!existing) insertFn.run(name, version, now, now);
      insertVersion.run({ name, version, ...v, env: JSON.stringify(v.env), createdAt: now });
      if (existing) setActive.run(version, now, name);
      return {
        fn: toFunction(fnByName.get(name)!),
        version: toVersion(versionRow.get(name, version)!),
        created: !existing,
      };
    },
  );

  const remove = db.transaction((name: string) => {
    removeVersions.run(name);
    return removeFn.run(name).changes > 0;
  });

  return {
    deploy: async (name, version, now) => deploy(name, version, now),
    async get(name) {
      const row = fnByName.get(name);
      return row && toFunction(row);
    },
    async getVersion(name, version) {
      const row = versionRow.get(name, version);
      return row && toVersion(row);
    },
    async getActive(name) {
      const row = activeRow.get(name);
      return row && toVersion(row);
    },
    list: async () => allFns.all().map(toFunction),
    listVersions: async (name) => versionsOf.all(name).map(toVersion),
    async activate(name, version, now) {
      if (!versionRow.get(name, version)) {
        throw new NotFoundError(
          'E_FUNCTION_VERSION_NOT_FOUND',
          `Function "${name}" has no version ${version}.`,
          { function: name, version },
        );
      }
      setActive.run(version, now, name);
      return toFunction(fnByName.get(name)!);
    },
    delete: async (name) => remove(name),
  };
}
