/**
 * PostgreSQL's text and jsonb cannot hold U+0000, which SQLite stores and MinCloud's users
 * may send. Strings are stored escaped: U+0001 → U+0001 U+0001, U+0000 → U+0001 U+0002
 * (uniquely decodable, and the identity for every string without either character, so
 * nearly all values pass untouched). Operands of queries are escaped the same way, so
 * equality, lists and substrings compare as stored.
 */

/* eslint-disable no-control-regex -- these two control characters are what is escaped */
const NEEDS_ESCAPE = /[\u0000\u0001]/;
const RAW = /[\u0000\u0001]/g;
const ESCAPED = /\u0001[\u0001\u0002]/g;
/* eslint-enable no-control-regex */

/** A string as PostgreSQL stores it. */
export function escapeText(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text.replace(RAW, (c) => (c === '\u0000' ? '\u0001\u0002' : '\u0001\u0001'));
}

/** A stored string as it was given. */
export function unescapeText(text: string): string {
  if (!text.includes('\u0001')) return text;
  return text.replace(ESCAPED, (c) => (c === '\u0001\u0002' ? '\u0000' : '\u0001'));
}

// In JSON text the two characters appear as the escapes \u0000 and \u0001; an escaped
// backslash (\\) is consumed as a pair first, so `\\u0000` (a backslash, then "u0000") is kept.
const JSON_RAW = /\\(\\|u000[01])/g;
const JSON_ESCAPED = /\\(\\|u0001\\u000[12])/g;

/** The JSON text of a value as jsonb will hold it. */
export function escapeJson(json: string): string {
  if (!json.includes('\\u000')) return json;
  return json.replace(JSON_RAW, (m: string, tail: string) =>
    tail === '\\' ? m : tail === 'u0000' ? '\\u0001\\u0002' : '\\u0001\\u0001',
  );
}

/** jsonb's text (as PostgreSQL prints it) back to the JSON text that was given. */
export function unescapeJson(json: string): string {
  if (!json.includes('\\u0001')) return json;
  return json.replace(JSON_ESCAPED, (m: string, tail: string) =>
    tail === '\\' ? m : tail.endsWith('2') ? '\\u0000' : '\\u0001',
  );
}
