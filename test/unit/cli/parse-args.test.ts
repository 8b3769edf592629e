import { describe, expect, it } from 'vitest';
import { CliError } from '../../../engine/cli/errors.ts';
import {
  parseDataArgument,
  parseEnvPairs,
  parseEventTime,
  parseFieldSpec,
  parsePositiveInt,
} from '../../../engine/cli/parse-args.ts';

const usage = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(2);
    return (err as CliError).message;
  }
  throw new Error('expected a usage error');
};

describe('parseEnvPairs', () => {
  it('splits at the first "=" so values may hold "="', () => {
    expect(parseEnvPairs(['A=1', 'URL=https://x/?a=b', 'EMPTY='])).toEqual({
      A: '1',
      URL: 'https://x/?a=b',
      EMPTY: '',
    });
  });
  it('lets a later key win', () => {
    expect(parseEnvPairs(['A=1', 'A=2'])).toEqual({ A: '2' });
  });
  it.each(['NOVALUE', '=x', '1A=x', 'A-B=x'])('refuses %s', (pair) => {
    expect(usage(() => parseEnvPairs([pair]))).toContain('is not KEY=value');
  });
});

describe('parseFieldSpec', () => {
  it('reads Name:type and a trailing ! as required', () => {
    expect(parseFieldSpec('Amount:integer')).toEqual({ name: 'Amount', type: 'integer' });
    expect(parseFieldSpec('_AppId:string!')).toEqual({
      name: '_AppId',
      type: 'string',
      required: true,
    });
  });
  it.each(['Amount', 'Amount:money', '1a:string', 'a:', `${'x'.repeat(33)}:string`, 'a:b:string'])(
    'refuses %s',
    (spec) => {
      expect(usage(() => parseFieldSpec(spec))).toContain('is not a field');
    },
  );
});

describe('parseDataArgument', () => {
  const files: Record<string, string> = { 'd.json': '{"a":1}', 'bad.json': '{' };
  const read = (f: string) => files[f] ?? '';
  it('is null without an argument, JSON text as given, @file read', () => {
    expect(parseDataArgument(undefined, read)).toBeNull();
    expect(parseDataArgument('[1,"x"]', read)).toEqual([1, 'x']);
    expect(parseDataArgument('"text"', read)).toBe('text');
    expect(parseDataArgument('@d.json', read)).toEqual({ a: 1 });
  });
  it('says which input is not JSON', () => {
    expect(usage(() => parseDataArgument('{bad', read))).toContain('"{bad" is not JSON');
    expect(usage(() => parseDataArgument('@bad.json', read))).toContain(
      'bad.json does not hold JSON',
    );
  });
});

describe('parseEventTime', () => {
  const now = Date.UTC(2025, 3, 18, 7, 13, 47, 900);
  it('reads now, unix seconds and ISO-8601 as unix seconds', () => {
    expect(parseEventTime('now', now)).toBe(1744960427);
    expect(parseEventTime('1472549042', now)).toBe(1472549042);
    expect(parseEventTime('2025-04-18T07:13:47Z', now)).toBe(1744960427);
  });
  it('refuses anything else', () => {
    expect(usage(() => parseEventTime('yesterday', now))).toContain('is not a time');
  });
});

describe('parsePositiveInt', () => {
  it('takes positive integers only', () => {
    const parse = parsePositiveInt('--timeout');
    expect(parse('5000')).toBe(5000);
    for (const bad of ['0', '-1', '1.5', 'soon', ''])
      expect(usage(() => parse(bad))).toContain('--timeout must be a positive integer');
  });
});
