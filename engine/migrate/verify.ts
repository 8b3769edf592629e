/**
 * Per table, both sides read the same way: row counts, and a SHA-256 over the rows in key
 * order, each value normalised by its column's kind (canonical.ts), read in keyset pages.
 */
import { RowChecksum, fromSource, fromTarget } from './canonical.ts';
import type { PostgresTarget } from './postgres-target.ts';
import type { SqliteSource } from './sqlite-source.ts';
import type { TableSpec } from './table-spec.ts';

export interface TableCheck {
  name: string;
  sourceRows: number;
  /** null: the table is missing on PostgreSQL. */
  targetRows: number | null;
  sourceChecksum: string;
  targetChecksum: string | null;
  ok: boolean;
}

export async function verifyTable(
  source: SqliteSource,
  target: PostgresTarget,
  spec: TableSpec,
  pageSize: number,
): Promise<TableCheck> {
  const keys = spec.source.key.length;
  const fromSqlite = new RowChecksum();
  let cursor: unknown[] | undefined;
  for (;;) {
    const page = source.page(spec, cursor, pageSize);
    for (const row of page)
      fromSqlite.add(row.slice(keys).map((v, i) => fromSource(spec.kinds[i]!, v)));
    if (page.length < pageSize) break;
    cursor = page[page.length - 1]!.slice(0, keys);
  }
  const fromPg = new RowChecksum();
  let missing = false;
  cursor = undefined;
  for (;;) {
    const page = await target.page(spec, cursor, pageSize);
    if (page === undefined) {
      missing = true;
      break;
    }
    for (const row of page)
      fromPg.add(row.slice(keys).map((v, i) => fromTarget(spec.kinds[i]!, v)));
    if (page.length < pageSize) break;
    cursor = page[page.length - 1]!.slice(0, keys);
  }
  const sourceChecksum = fromSqlite.digest();
  const targetChecksum = missing ? null : fromPg.digest();
  return {
    name: spec.name,
    sourceRows: fromSqlite.rows,
    targetRows: missing ? null : fromPg.rows,
    sourceChecksum,
    targetChecksum,
    ok: !missing && fromSqlite.rows === fromPg.rows && sourceChecksum === targetChecksum,
  };
}
