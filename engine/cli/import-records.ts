import { parse as parseCsv } from 'csv-parse/sync';
import { usageError } from './errors.ts';

/** One record of an import file, with the line of the file it starts on. */
export interface ImportRecord {
  line: number;
  /**
   * The record's `id` when it has one: the key a rerun matches on, and the id a created
   * record keeps (so importing the file again finds it).
   */
  id: string | undefined;
  /** The fields to write: the other system fields (created_at, …) are the engine's to set. */
  data: Record<string, unknown>;
}

/** System fields are the engine's to set: an exported file imports without them. */
const SYSTEM_FIELDS = ['id', 'created_at', 'updated_at', 'created_by'];

/** A record id as the engine keeps it: 24 lowercase hex (MinCloud's), an integer for users. */
const RECORD_ID = /^[0-9a-f]{24}$/;
const USER_ID = /^[1-9][0-9]{0,15}$/;

/** The column types of the table imported into, to read CSV cells (all text) as values. */
export type ColumnTypes = ReadonlyMap<string, string>;

export interface ImportFileOptions {
  /** The table's ids are integers (the user table `_userprofile`). */
  integerIds?: boolean;
  /** Field name to type: needed to read a CSV file. */
  columns?: ColumnTypes;
}

/**
 * Reads an import file: a JSON array of records (an export), one JSON object per line, or
 * (a `.csv` file) a CSV export with a header line. Each record keeps the line it starts on,
 * so a refusal names the line of the file, not the position in a batch. A record's `id`, when
 * it has one, must have the engine's shape: a malformed one is refused here, naming its line.
 */
export function parseImportFile(
  text: string,
  file: string,
  options: ImportFileOptions = {},
): ImportRecord[] {
  const entries = /\.csv$/i.test(file)
    ? csvEntries(text, file, options.columns ?? new Map())
    : jsonEntries(text, file);
  return entries.map(({ line, value }) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      throw usageError(`${file}:${line}: the record is not a JSON object.`);
    const data = { ...(value as Record<string, unknown>) };
    const id = recordId(data.id, file, line, options.integerIds === true);
    for (const key of SYSTEM_FIELDS) delete data[key];
    return { line, id, data };
  });
}

function recordId(
  raw: unknown,
  file: string,
  line: number,
  integerIds: boolean,
): string | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const text = typeof raw === 'number' ? String(raw) : raw;
  if (typeof text === 'string' && (integerIds ? USER_ID : RECORD_ID).test(text)) return text;
  throw usageError(
    `${file}:${line}: the id ${JSON.stringify(raw)?.slice(0, 40)} is not a record id.`,
    integerIds
      ? 'A user id is a positive integer.'
      : "A record id is 24 lowercase hex characters (MinCloud's ids); leave id out to have the engine draw one.",
  );
}

function jsonEntries(text: string, file: string): Array<{ line: number; value: unknown }> {
  const trimmed = text.trimStart();
  const entries: Array<{ line: number; value: unknown }> = [];
  if (trimmed.startsWith('[')) {
    let values: unknown;
    try {
      values = JSON.parse(text);
    } catch (err) {
      throw usageError(
        `${file} is not a JSON array: ${(err as Error).message}.`,
        'Give a JSON array of objects, or one JSON object per line.',
      );
    }
    const lines = arrayElementLines(text);
    (values as unknown[]).forEach((value, i) => entries.push({ line: lines[i] ?? 1, value }));
  } else {
    text.split('\n').forEach((source, i) => {
      if (source.trim() === '') return;
      try {
        entries.push({ line: i + 1, value: JSON.parse(source) });
      } catch (err) {
        throw usageError(
          `${file}:${i + 1}: not a JSON object: ${(err as Error).message}.`,
          'Give a JSON array of objects, or one JSON object per line.',
        );
      }
    });
  }
  return entries;
}

// The export prefixes a text cell starting like a formula with `'` (csv.ts): undone here.
const ESCAPED_FORMULA = /^'[=+\-@\t\r]/;

/**
 * The records of a CSV file (RFC 4180, a header line naming the columns, as `tables export
 * --format csv` writes it). Cells are text: each is read back as its column's type (numbers,
 * booleans, JSON for arrays and objects, an empty cell as null); a cell that does not read
 * as its type is passed on as text, so the engine's refusal names the field.
 */
function csvEntries(
  text: string,
  file: string,
  columns: ColumnTypes,
): Array<{ line: number; value: unknown }> {
  const bytes = Buffer.from(text, 'utf8');
  let rows: Array<{ record: string[]; info: { bytes: number } }>;
  try {
    rows = parseCsv(bytes, {
      info: true,
      bom: true,
      skip_empty_lines: true,
    }) as unknown as typeof rows;
  } catch (err) {
    const at = (err as { lines?: number }).lines;
    throw usageError(
      `${file}${at ? `:${at}` : ''}: not a CSV file: ${(err as Error).message}`,
      'Give a CSV file with a header line, as `cloudfn tables export --format csv` writes.',
    );
  }
  const [header, ...body] = rows;
  if (!header) return [];
  const names = header.record;
  let start = header.info.bytes;
  return body.map(({ record, info }) => {
    // A record starts after the previous one's last byte and any blank lines.
    while (bytes[start] === 0x0d || bytes[start] === 0x0a) start++;
    const line = 1 + countNewlines(bytes, start);
    start = info.bytes;
    const value: Record<string, unknown> = {};
    names.forEach((name, i) => (value[name] = cellValue(record[i] ?? '', columns.get(name), name)));
    return { line, value };
  });
}

function countNewlines(bytes: Buffer, end: number): number {
  let n = 0;
  for (let at = bytes.indexOf(0x0a); at !== -1 && at < end; at = bytes.indexOf(0x0a, at + 1)) n++;
  return n;
}

function cellValue(cell: string, type: string | undefined, name: string): unknown {
  if (cell === '') return null;
  const kind = name === 'read_perm' || name === 'write_perm' ? 'array' : type;
  switch (kind) {
    case 'integer':
    case 'number': {
      const n = Number(cell);
      return cell.trim() !== '' && Number.isFinite(n) ? n : cell;
    }
    case 'boolean':
      return cell === 'true' ? true : cell === 'false' ? false : cell;
    case 'array':
    case 'object':
    case 'geojson':
    case 'pointer':
      try {
        return JSON.parse(cell) as unknown;
      } catch {
        return cell;
      }
    default:
      return ESCAPED_FORMULA.test(cell) ? cell.slice(1) : cell;
  }
}

/**
 * The line (1-based) on which each element of the top-level JSON array in `text` starts.
 * `text` is valid JSON (parsed before), so a scan of brackets, commas and strings suffices.
 */
export function arrayElementLines(text: string): number[] {
  const out: number[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let expectValue = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\n') line++;
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n') continue;
    if (depth === 1 && expectValue && ch !== ']') {
      out.push(line);
      expectValue = false;
    }
    if (ch === '"') inString = true;
    else if (ch === '[' || ch === '{') {
      depth++;
      if (depth === 1) expectValue = true;
    } else if (ch === ']' || ch === '}') depth--;
    else if (ch === ',' && depth === 1) expectValue = true;
  }
  return out;
}

export type OnConflict = 'skip' | 'update';

/** What an import will do: records to create, and those whose `id` exists already. */
export interface ImportPlan {
  create: ImportRecord[];
  update: ImportRecord[];
  skip: ImportRecord[];
}

/**
 * Splits records by whether their `id` is in the table: those are updated or skipped
 * (`onConflict`), so running the same import again does not duplicate rows; the rest are
 * created, with the file's `id` when it has one.
 */
export function planImport(
  records: ImportRecord[],
  existing: ReadonlySet<string>,
  onConflict: OnConflict,
): ImportPlan {
  const plan: ImportPlan = { create: [], update: [], skip: [] };
  // An id twice in the file: the first creates it, the later ones meet it like one in the table.
  const created = new Set<string>();
  for (const record of records) {
    if (record.id !== undefined && (existing.has(record.id) || created.has(record.id)))
      plan[onConflict].push(record);
    else {
      if (record.id !== undefined) created.add(record.id);
      plan.create.push(record);
    }
  }
  return plan;
}
