import { usageError } from './errors.ts';

/** One record of an import file, with the line of the file it starts on. */
export interface ImportRecord {
  line: number;
  /** The record's `id` when it has one: the key a rerun matches on. */
  id: string | undefined;
  /** The fields to write: system fields (id, created_at, …) are the engine's to set. */
  data: Record<string, unknown>;
}

/** System fields are the engine's to set: an exported file imports without them. */
const SYSTEM_FIELDS = ['id', 'created_at', 'updated_at', 'created_by'];

/**
 * Reads an import file: a JSON array of records (an export), or one JSON object per line.
 * Each record keeps the line it starts on, so a refusal names the line of the file, not the
 * position in a batch.
 */
export function parseImportFile(text: string, file: string): ImportRecord[] {
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
  return entries.map(({ line, value }) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      throw usageError(`${file}:${line}: the record is not a JSON object.`);
    const data = { ...(value as Record<string, unknown>) };
    const id = typeof data.id === 'string' && data.id !== '' ? data.id : undefined;
    for (const key of SYSTEM_FIELDS) delete data[key];
    return { line, id, data };
  });
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
 * created.
 */
export function planImport(
  records: ImportRecord[],
  existing: ReadonlySet<string>,
  onConflict: OnConflict,
): ImportPlan {
  const plan: ImportPlan = { create: [], update: [], skip: [] };
  for (const record of records) {
    if (record.id === undefined || !existing.has(record.id)) plan.create.push(record);
    else plan[onConflict].push(record);
  }
  return plan;
}
