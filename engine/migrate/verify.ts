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
  const fromPg = new RowChecksum();
  const addTarget = (page: unknown[][]) => {
    for (const row of page)
      fromPg.add(row.slice(keys).map((v, i) => fromTarget(spec.kinds[i]!, v)));
  };
  // Page by page on the source (bounded by rows and by size), the target's rows of the same
  // key range beside each: both sides' pages stay as small as the source's.
  let missing = false;
  let cursor: unknown[] | undefined;
  for (;;) {
    const page = source.page(spec, cursor, pageSize);
    if (page.length === 0) break;
    for (const row of page)
      fromSqlite.add(row.slice(keys).map((v, i) => fromSource(spec.kinds[i]!, v)));
    const last = page[page.length - 1]!.slice(0, keys);
    if (!missing) {
      const beside = await target.page(spec, cursor, last);
      if (beside === undefined) missing = true;
      else addTarget(beside);
    }
    cursor = last;
  }
  // Then whatever the target holds past the source's last key.
  while (!missing) {
    const page = await target.page(spec, cursor, pageSize);
    if (page === undefined) missing = true;
    else {
      addTarget(page);
      if (page.length < pageSize) break;
      cursor = page[page.length - 1]!.slice(0, keys);
    }
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
