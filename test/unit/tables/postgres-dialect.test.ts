import { describe, expect, it } from 'vitest';
import {
  escapeJson,
  escapeText,
  unescapeJson,
  unescapeText,
} from '../../../engine/tables/postgres/nul-escape.ts';
import { PgEmitter, type PgCondition } from '../../../engine/tables/postgres/where-sql.ts';
import { type QueryField, parseWhere } from '../../../engine/tables/where.ts';

const fields = new Map<string, QueryField>([
  ['name', { type: 'string', column: 'r."name"' }],
  ['n', { type: 'integer', column: 'r."n"' }],
  ['ok', { type: 'boolean', column: 'r."ok"' }],
  ['tags', { type: 'array', items: 'string', column: 'r."tags"' }],
  ['any', { type: 'array', column: 'r."any"' }],
  ['meta', { type: 'object', column: 'r."meta"' }],
]);

const emit = (where: unknown) => {
  const e = new PgEmitter();
  const sql = e.emit(parseWhere(where, fields).condition as PgCondition);
  return { sql, params: e.params };
};

describe('the PostgreSQL dialect', () => {
  it('puts every value and path in parameters, never in the SQL text', () => {
    const hostile = `x'); DROP TABLE t; --`;
    const { sql, params } = emit({
      name: hostile,
      'meta.a': { $gt: hostile },
      tags: { $in: [hostile] },
      any: { $all: [hostile] },
      n: { $in: [1, 2] },
    });
    expect(sql).not.toContain('DROP');
    expect(sql).not.toContain(`x'`);
    expect(JSON.stringify(params)).toContain('DROP TABLE');
    // Parameters are numbered in order of appearance and all used.
    const used = [...sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1]));
    expect(Math.max(...used)).toBe(params.length);
  });

  it('never uses recursive containment (@>) for $all, membership or equality', () => {
    for (const where of [
      { any: { $all: [1, 2] } },
      { tags: 'a' },
      { any: { $in: [1, 'a'] } },
      { tags: ['a'] },
    ])
      expect(emit(where).sql).not.toContain('@>');
  });

  it('sorts booleans and numbers inside JSON before text, as SQLite does', () => {
    expect(emit({ 'meta.v': { $gt: 1 } }).sql).toContain(`IN ('string', 'object', 'array')`);
    expect(emit({ 'meta.v': { $lt: 'a' } }).sql).toContain(`IN ('number', 'boolean')`);
  });
});

/** Whether any string (or key) in a JSON value holds U+0000. */
function hasNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(hasNul);
  if (value !== null && typeof value === 'object')
    return Object.entries(value).some(([k, v]) => k.includes('\u0000') || hasNul(v));
  return false;
}

describe('NUL escaping', () => {
  it('round-trips text and JSON holding NUL, U+0001 and backslashes', () => {
    for (const text of ['plain', 'a\u0000b', '\u0001\u0000\u0001', 'back\\u0000slash', '']) {
      expect(escapeText(text)).not.toContain('\u0000');
      expect(unescapeText(escapeText(text))).toBe(text);
      const json = JSON.stringify({ [text]: [text, { k: text }] });
      // What jsonb would hold has no NUL character anywhere, keys included.
      expect(hasNul(JSON.parse(escapeJson(json)))).toBe(false);
      expect(JSON.parse(unescapeJson(escapeJson(json)))).toEqual(JSON.parse(json));
    }
    expect(escapeText('no control characters')).toBe('no control characters');
  });
});
