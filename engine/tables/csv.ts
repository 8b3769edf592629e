/**
 * CSV rendering of records (pure), RFC 4180: every cell quoted when it holds a comma,
 * quote, CR or LF; arrays and objects as JSON text; null as an empty cell.
 */

// A spreadsheet runs a cell that starts with one of these as a formula (CSV injection):
// text cells starting so get a leading apostrophe. Numbers are never touched.
const FORMULA_START = /^[=+\-@\t\r]/;

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text: string;
  if (typeof value === 'string') text = FORMULA_START.test(value) ? `'${value}` : value;
  else if (typeof value === 'object') text = JSON.stringify(value);
  else text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The header line for `columns`. */
export function csvHeader(columns: readonly string[]): string {
  return columns.map(cell).join(',') + '\r\n';
}

/** One CSV line per record, in `columns` order. */
export function csvRows(
  columns: readonly string[],
  records: ReadonlyArray<Record<string, unknown>>,
): string {
  return records.map((r) => columns.map((c) => cell(r[c])).join(',') + '\r\n').join('');
}
