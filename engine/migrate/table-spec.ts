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

/**
 * The target's rows in the same order: after `cursor` (if any) and up to `upTo` (if any, the
 * last key of a source page: as many rows as that page, when both sides agree), else at most
 * `$last` rows.
 */
export function targetPageSql(spec: TableSpec, hasCursor: boolean, hasUpTo: boolean): string {
  const { table, key, columns } = spec.target;
  const keys = `(${key.join(', ')})`;
  const marks = (from: number) => `(${key.map((_, i) => `$${from + i}`).join(', ')})`;
  const where: string[] = [];
  if (hasCursor) where.push(`${keys} > ${marks(1)}`);
  if (hasUpTo) where.push(`${keys} <= ${marks(hasCursor ? key.length + 1 : 1)}`);
  const params = (hasCursor ? key.length : 0) + (hasUpTo ? key.length : 0);
  return `SELECT ${[...key, ...columns].join(', ')} FROM ${table}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${key.join(', ')}${hasUpTo ? '' : ` LIMIT $${params + 1}`}`;
}

const ARRAY_TYPE: Record<Kind, string> = {
  text: 'text[]',
  userText: 'text[]',
  json: 'text[]',
  int: 'bigint[]',
  real: 'float8[]',
  bool: 'boolean[]',
};

/**
 * `INSERT` of a batch given as one array per column (`unnest`): one statement of as many
 * parameters as columns, whatever the rows, so PostgreSQL parses and plans it in no time
 * (a VALUES list of 1,000 rows has tens of thousands of parameters); a row already there
 * (by primary key) is left as it is. jsonb travels as text and is cast per element.
 */
export function insertArraysSql(spec: TableSpec): string {
  const { table, columns, conflict } = spec.target;
  const arrays = spec.kinds.map((kind, i) => `$${i + 1}::${ARRAY_TYPE[kind]}`);
  const values = spec.kinds.map((kind, i) => (kind === 'json' ? `c${i}::jsonb` : `c${i}`));
  return `INSERT INTO ${table} (${columns.join(', ')}) SELECT ${values.join(', ')} FROM unnest(${arrays.join(', ')}) AS u(${columns.map((_, i) => `c${i}`).join(', ')}) ON CONFLICT (${conflict.join(', ')}) DO NOTHING`;
}
