/**
 * Copies one table in batches, each committed with its cursor (postgres-target.ts), reading
 * the source by keyset from where the last committed batch ended: never a whole table in
 * memory, and a run stopped midway continues at the first row not yet committed.
 */
import type { SqliteSource } from './sqlite-source.ts';
import type { PostgresTarget } from './postgres-target.ts';
import type { TableSpec } from './table-spec.ts';

export interface CopyProgress {
  table: string;
  /** Rows of this table copied so far (this run and earlier ones). */
  rows: number;
  /** Batches committed by this run, all tables. */
  batches: number;
}

export interface CopyOutcome {
  /** Rows this run copied. */
  copied: number;
  /** Rows earlier runs had copied (a resumed table). */
  before: number;
  ms: number;
}

export async function copyTable(
  source: SqliteSource,
  target: PostgresTarget,
  spec: TableSpec,
  options: { batchSize: number; onBatch?: (p: CopyProgress) => void; batches: { n: number } },
): Promise<CopyOutcome> {
  const started = performance.now();
  const progress = await target.progress(spec.name);
  if (progress.done) return { copied: 0, before: progress.rows, ms: 0 };
  const keys = spec.source.key.length;
  let cursor = progress.cursor;
  let rows = progress.rows;
  for (;;) {
    const page = source.page(spec, cursor, options.batchSize);
    if (page.length === 0) break;
    cursor = page[page.length - 1]!.slice(0, keys);
    rows += page.length;
    await target.writeBatch(
      spec,
      page.map((row) => row.slice(keys)),
      cursor,
      rows,
    );
    options.batches.n++;
    options.onBatch?.({ table: spec.name, rows, batches: options.batches.n });
  }
  await target.finishTable(spec);
  return { copied: rows - progress.rows, before: progress.rows, ms: performance.now() - started };
}
