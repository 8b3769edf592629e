/**
 * One table to move, as data (pure): where its rows come from on SQLite, where they go on
 * PostgreSQL, the kind of each column, and the key both sides are read in (the same order on
 * both: an integer, or text compared bytewise — SQLite's BINARY, PostgreSQL's "C").
 */
import type { Kind } from './canonical.ts';

export interface TableSpec {
  /** In the report and the progress table: `engine.accounts`, `tables.user_consume_card`. */
  name: string;
  source: {
    /** `FROM` of the read (a table, or a join). */
    from: string;
    /** The keyset: expressions, in order; unique, together. */
    key: string[];
    /** One expression per target column, in the target's column order. */
    select: string[];
  };
  target: {
    /** The quoted table. */
    table: string;
    /** The same keyset on PostgreSQL (text keys with COLLATE "C"). */
    key: string[];
    /** Quoted columns. */
    columns: string[];
    /** The primary key's columns: a batch already written (a resumed run) is skipped. */
    conflict: string[];
    /** A bigserial column set past its maximum once the rows are in. */
    sequence?: string;
  };
  kinds: Kind[];
}

/** A page of the source after `cursor` (none: from the start), keys first then the columns. */
export function sourcePageSql(spec: TableSpec, hasCursor: boolean): string {
  const { from, key, select } = spec.source;
  const after = hasCursor ? ` WHERE (${key.join(', ')}) > (${key.map(() => '?').join(', ')})` : '';
  return `SELECT ${[...key, ...select].join(', ')} FROM ${from}${after} ORDER BY ${key.join(', ')} LIMIT ?`;
}

/** The same page of the target, in the same order. */
export function targetPageSql(spec: TableSpec, hasCursor: boolean): string {
  const { table, key, columns } = spec.target;
  const after = hasCursor
    ? ` WHERE (${key.join(', ')}) > (${key.map((_, i) => `$${i + 1}`).join(', ')})`
    : '';
  const limit = `$${hasCursor ? key.length + 1 : 1}`;
  return `SELECT ${[...key, ...columns].join(', ')} FROM ${table}${after} ORDER BY ${key.join(', ')} LIMIT ${limit}`;
}

/** `INSERT` of `rows` rows; a row already there (by primary key) is left as it is. */
export function insertSql(spec: TableSpec, rows: number): string {
  const { table, columns, conflict } = spec.target;
  const width = columns.length;
  const tuples: string[] = [];
  for (let r = 0; r < rows; r++)
    tuples.push(`(${columns.map((_, c) => `$${r * width + c + 1}`).join(', ')})`);
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')} ON CONFLICT (${conflict.join(', ')}) DO NOTHING`;
}

/** Rows per INSERT: PostgreSQL takes at most 65,535 parameters in one statement. */
export function rowsPerInsert(spec: TableSpec): number {
  return Math.max(1, Math.floor(65_535 / spec.target.columns.length));
}
