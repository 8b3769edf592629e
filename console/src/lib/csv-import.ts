/**
 * Reading an import file for a table: CSV (RFC 4180, first row the field names) or JSON (an
 * array of records). Values are converted to the field's type so the engine's strict checks
 * see what the user meant (`"true"` in a CSV cell is a boolean for a boolean field).
 */
import type { FieldDef } from './table-types.ts';

export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

const SYSTEM = new Set(['id', 'created_at', 'updated_at', 'created_by']);

function convert(text: string, field: FieldDef): unknown {
  if (text === '') return null;
  switch (field.type) {
    case 'integer':
    case 'number':
      return Number.isFinite(Number(text)) ? Number(text) : text;
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : text;
    case 'array':
    case 'object':
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return text;
      }
    default:
      return text;
  }
}

/** The records of an import file, keeping only the table's own fields (system fields are the engine's). */
export function importRecords(
  text: string,
  kind: 'csv' | 'json',
  fields: FieldDef[],
): Record<string, unknown>[] {
  const byName = new Map(fields.map((f) => [f.name, f]));
  if (kind === 'json') {
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed)) throw new Error('the JSON file must hold an array of records');
    return parsed.map((r: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(r).filter(([k]) => !SYSTEM.has(k))),
    );
  }
  const [header, ...rows] = parseCsv(text);
  if (!header) return [];
  return rows.map((cells) => {
    const record: Record<string, unknown> = {};
    header.forEach((name, i) => {
      const field = byName.get(name);
      if (field && !SYSTEM.has(name)) record[name] = convert(cells[i] ?? '', field);
    });
    return record;
  });
}
