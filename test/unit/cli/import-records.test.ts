import { describe, expect, it } from 'vitest';
import {
  arrayElementLines,
  parseImportFile,
  planImport,
} from '../../../engine/cli/import-records.ts';
import { closestName } from '../../../engine/dispatch/trigger-references.ts';

const A = '5f1d7a3e9c0b4a2d8e6f1a2b';
const B = '5f1d7a3e9c0b4a2d8e6f1a2c';

describe('import files', () => {
  it('finds the line each array element starts on, whatever strings hold', () => {
    const text = '[\n  {"a": "x, [y] \\"{\\""},\n\n  {"b":\n 1}, 2, "s",\n  [3]\n]';
    expect(JSON.parse(text)).toHaveLength(5);
    expect(arrayElementLines(text)).toEqual([2, 4, 5, 5, 6]);
    expect(arrayElementLines('[]')).toEqual([]);
  });

  it('keeps the id to match on and drops the system fields from what is written', () => {
    const records = parseImportFile(
      `{"id": "${A}", "created_at": 1, "name": "x"}\n\n{"name": "y"}\n`,
      'f.ndjson',
    );
    expect(records).toEqual([
      { line: 1, id: A, data: { name: 'x' } },
      { line: 3, id: undefined, data: { name: 'y' } },
    ]);
    expect(() => parseImportFile('{"a": 1}\n[1]\n', 'f.ndjson')).toThrow(
      'f.ndjson:2: the record is not a JSON object.',
    );
    expect(() => parseImportFile('{"a": 1}\n{oops\n', 'f.ndjson')).toThrow(/^f\.ndjson:2: /);
  });

  it('plans creates, and skips or updates the records whose id exists', () => {
    const records = parseImportFile(
      `[{"id": "${A}"}, {"id": "${B}"}, {"n": 1}, {"id": "${B}", "n": 2}]`,
      'f.json',
    );
    const existing = new Set([A]);
    const skip = planImport(records, existing, 'skip');
    // The second B meets the first one (created by this import) like a record in the table.
    expect([skip.create.length, skip.update.length, skip.skip.length]).toEqual([2, 0, 2]);
    const update = planImport(records, existing, 'update');
    expect(update.update.map((r) => r.id)).toEqual([A, B]);
  });

  it('refuses a malformed id, naming its line; integer ids for the user table', () => {
    expect(() => parseImportFile('[\n{"id": "a1"}\n]', 'f.json')).toThrow(
      'f.json:2: the id "a1" is not a record id.',
    );
    expect(() => parseImportFile(`{"id": "${A.toUpperCase()}"}`, 'f.ndjson')).toThrow(
      /^f\.ndjson:1: /,
    );
    expect(parseImportFile('{"id": 7}', 'u.ndjson', { integerIds: true })[0]!.id).toBe('7');
    expect(() => parseImportFile(`{"id": "${A}"}`, 'u.ndjson', { integerIds: true })).toThrow(
      /^u\.ndjson:1: /,
    );
  });

  it('reads a CSV export: typed cells, the line each record starts on, formulas unescaped', () => {
    const columns = new Map([
      ['n', 'integer'],
      ['ok', 'boolean'],
      ['tags', 'array'],
      ['s', 'string'],
    ]);
    const text = `\ufeffid,n,ok,tags,s,created_at\r\n${A},1,true,"[""a""]","two\r\nlines",5\r\n\r\n,x,,,'=1+1,\r\n`;
    expect(parseImportFile(text, 'f.csv', { columns })).toEqual([
      { line: 2, id: A, data: { n: 1, ok: true, tags: ['a'], s: 'two\r\nlines' } },
      { line: 5, id: undefined, data: { n: 'x', ok: null, tags: null, s: '=1+1' } },
    ]);
    expect(() => parseImportFile('a,b\n1,2,3\n', 'f.csv')).toThrow(/^f\.csv:2: not a CSV file/);
  });
});

describe('did you mean', () => {
  it('suggests the closest name only when it is a plausible typo', () => {
    expect(closestName('helo', ['hello', 'world'])).toBe('hello');
    expect(closestName('User_Consume_Card', ['user_consume_card'])).toBe('user_consume_card');
    expect(closestName('orders', ['users'])).toBeNull();
    expect(closestName('x', [])).toBeNull();
  });
});
