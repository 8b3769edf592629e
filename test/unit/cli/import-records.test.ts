import { describe, expect, it } from 'vitest';
import {
  arrayElementLines,
  parseImportFile,
  planImport,
} from '../../../engine/cli/import-records.ts';
import { closestName } from '../../../engine/dispatch/trigger-references.ts';

describe('import files', () => {
  it('finds the line each array element starts on, whatever strings hold', () => {
    const text = '[\n  {"a": "x, [y] \\"{\\""},\n\n  {"b":\n 1}, 2, "s",\n  [3]\n]';
    expect(JSON.parse(text)).toHaveLength(5);
    expect(arrayElementLines(text)).toEqual([2, 4, 5, 5, 6]);
    expect(arrayElementLines('[]')).toEqual([]);
  });

  it('keeps the id to match on and drops the system fields from what is written', () => {
    const records = parseImportFile(
      '{"id": "a1", "created_at": 1, "name": "x"}\n\n{"name": "y"}\n',
      'f.ndjson',
    );
    expect(records).toEqual([
      { line: 1, id: 'a1', data: { name: 'x' } },
      { line: 3, id: undefined, data: { name: 'y' } },
    ]);
    expect(() => parseImportFile('{"a": 1}\n[1]\n', 'f.ndjson')).toThrow(
      'f.ndjson:2: the record is not a JSON object.',
    );
    expect(() => parseImportFile('{"a": 1}\n{oops\n', 'f.ndjson')).toThrow(/^f\.ndjson:2: /);
  });

  it('plans creates, and skips or updates the records whose id exists', () => {
    const records = parseImportFile('[{"id": "a"}, {"id": "b"}, {"n": 1}]', 'f.json');
    const existing = new Set(['a']);
    const skip = planImport(records, existing, 'skip');
    expect([skip.create.length, skip.update.length, skip.skip.length]).toEqual([2, 0, 1]);
    const update = planImport(records, existing, 'update');
    expect(update.update.map((r) => r.id)).toEqual(['a']);
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
