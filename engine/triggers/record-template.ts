import { compileFieldPath, lookupPath, splitFieldPath } from './field-path.ts';

/**
 * Record templates of table actions: `{"openid": "{{FromUserName}}", "at": "{{CreateTime}}"}`.
 * A string that is exactly one placeholder takes the field's value with its type (CreateTime
 * stays a number, an object stays an object; missing → null). Placeholders inside longer text
 * are interpolated as text (numbers and booleans as written, objects as JSON, missing or null →
 * ""). Fields are found as rules find them: exactly, then ignoring case, then by dotted path.
 */

const WHOLE = /^\{\{\s*([^{}]*?)\s*\}\}$/;
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** Fills a record template from the event; nested objects and arrays are filled too. */
export function renderRecordTemplate(
  template: Record<string, unknown>,
  data: unknown,
): Record<string, unknown> {
  return renderObject(template, data);
}

/** Problems of a template, as `[{path, message}]` relative to the template (empty when fine). */
export function checkTemplate(
  template: unknown,
  path: string,
): Array<{ path: string; message: string }> {
  if (typeof template === 'string') {
    const problems: Array<{ path: string; message: string }> = [];
    for (const m of template.matchAll(PLACEHOLDER)) {
      const field = m[1]!;
      if (field === '' || splitFieldPath(field) === null) {
        problems.push({
          path,
          message: `placeholder "${m[0]}" needs a field name or dotted path, e.g. "{{FromUserName}}"`,
        });
      }
    }
    if (template.replace(PLACEHOLDER, '').includes('{{')) {
      problems.push({
        path,
        message: 'a "{{" is not closed by "}}"; write placeholders as "{{FieldName}}"',
      });
    }
    return problems;
  }
  if (Array.isArray(template))
    return template.flatMap((item, i) => checkTemplate(item, `${path}[${i}]`));
  if (template !== null && typeof template === 'object') {
    return Object.entries(template).flatMap(([k, v]) => checkTemplate(v, `${path}.${k}`));
  }
  return [];
}

function render(value: unknown, data: unknown): unknown {
  if (typeof value === 'string') return renderString(value, data);
  if (Array.isArray(value)) return value.map((item) => render(item, data));
  if (value !== null && typeof value === 'object')
    return renderObject(value as Record<string, unknown>, data);
  return value;
}

function renderObject(template: Record<string, unknown>, data: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(template)) out[key] = render(value, data);
  return out;
}

function renderString(text: string, data: unknown): unknown {
  if (!text.includes('{{')) return text;
  const whole = WHOLE.exec(text);
  if (whole) {
    const value = read(data, whole[1]!) ?? null;
    // A copy, so whoever stores the record cannot change the event other actions still read.
    return typeof value === 'object' && value !== null ? structuredClone(value) : value;
  }
  return text.replace(PLACEHOLDER, (_m, field: string) => asInterpolated(read(data, field)));
}

function read(data: unknown, field: string): unknown {
  const found = lookupPath(data, compileFieldPath(field));
  return found.found ? found.value : undefined;
}

function asInterpolated(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
