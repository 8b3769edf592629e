/**
 * A table's export as a stream of text: CSV (a header line, then the records) or a JSON
 * array, rendered a scan page at a time (TableStore.scan: keyset pages in insertion order),
 * so neither the records nor the text of the whole table are ever held at once. Pulled:
 * the next page is read only when the consumer asks for more (a Readable built on it
 * respects the socket's backpressure).
 */
import { Readable } from 'node:stream';
import { csvHeader, csvRows } from './csv.ts';
import type { TableSchema, TableStore } from './table-store.ts';

export type ExportFormat = 'csv' | 'json';

/** The columns of a CSV export: the id, the table's fields, then the system fields. */
export function exportColumns(table: TableSchema): string[] {
  return ['id', ...table.fields.map((f) => f.name), 'created_at', 'updated_at', 'created_by'];
}

/** The export's text: the header (or `[`), then one chunk per scan page of `pageSize` records. */
export async function* exportChunks(
  tables: Pick<TableStore, 'scan'>,
  table: TableSchema,
  format: ExportFormat,
  pageSize = 1000,
): AsyncGenerator<string> {
  const columns = exportColumns(table);
  let after: string | undefined;
  let written = 0;
  yield format === 'csv' ? csvHeader(columns) : '[';
  do {
    const page = await tables.scan(table.id, { after, limit: pageSize });
    after = page.next ?? undefined;
    let text = '';
    if (format === 'csv') text = csvRows(columns, page.objects);
    else
      for (const record of page.objects)
        text += (written++ > 0 ? ',' : '') + JSON.stringify(record);
    if (format === 'json' && after === undefined) text += ']';
    if (text !== '') yield text;
  } while (after !== undefined);
}

/**
 * The export as a byte stream, pulled from exportChunks: a page is read only when the
 * consumer takes more, and at most highWaterMark bytes (16 KiB) wait ahead of it. The first
 * page is read before this resolves, so a refusal there (the database unreachable, say)
 * becomes an error status, not a cut-off 200. A failure later errors the stream: koa pipes a
 * body with stream.pipeline, which destroys the socket, so the client sees an incomplete
 * body, never a short file that looks whole.
 */
export async function exportStream(
  tables: Pick<TableStore, 'scan'>,
  table: TableSchema,
  format: ExportFormat,
  pageSize = 1000,
): Promise<Readable> {
  const chunks = exportChunks(tables, table, format, pageSize);
  const head: string[] = [];
  for (let i = 0; i < 2; i++) {
    const next = await chunks.next();
    if (next.done) break;
    head.push(next.value);
  }
  async function* all(): AsyncGenerator<string> {
    yield head.join('');
    yield* chunks;
  }
  return Readable.from(all(), { objectMode: false });
}
