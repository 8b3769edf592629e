// What a job's end means: the guest's report checked again, and isolated-vm's failures read.
import { describe, expect, it } from 'vitest';
import { entryFailure, readOutcome } from '../../../runtime/executor/job-outcome.ts';

const noMap = (stack: string) => `mapped ${stack}`;

describe('readOutcome', () => {
  it('fulfils with the result, and fails with the guest’s error, its stack mapped', () => {
    expect(readOutcome('{"ok":true,"result":{"a":1}}', 100, noMap)).toEqual({
      status: 'fulfilled',
      result: { a: 1 },
    });
    expect(
      readOutcome(
        '{"ok":false,"error":{"name":"TypeError","message":"bad","stack":"at x","code":"E_X"}}',
        100,
        noMap,
      ),
    ).toEqual({
      status: 'execution_failed',
      error: { name: 'TypeError', message: 'bad', stack: 'mapped at x', code: 'E_X' },
    });
  });

  it('refuses a report that is too large, unreadable or nested too deep', () => {
    const code = (json: string, max = 100) => {
      const out = readOutcome(json, max, noMap);
      return out.status === 'execution_failed' ? out.error.code : out.status;
    };
    expect(code(`{"ok":true,"result":"${'x'.repeat(5000)}"}`)).toBe('E_FUNCTION_RESULT_TOO_LARGE');
    expect(code('{"ok":tru')).toBe('E_FUNCTION_RESULT_INVALID');
    const deep = '['.repeat(2000) + ']'.repeat(2000);
    expect(code(`{"ok":true,"result":${deep}}`, 1e6)).toBe('E_FUNCTION_RESULT_TOO_DEEP');
  });
});

describe('entryFailure', () => {
  it('reads a timeout, the memory limit, a dead isolate and anything else', () => {
    expect(entryFailure(new Error('Script execution timed out.'), false, 64, noMap)).toEqual({
      kind: 'timeout',
    });
    expect(
      entryFailure(
        new Error('Isolate was disposed during execution due to memory limit'),
        false,
        64,
        noMap,
      ),
    ).toMatchObject({ kind: 'memory', error: { code: 'E_FUNCTION_MEMORY' } });
    expect(entryFailure(new Error('Script execution timed out.'), true, 64, noMap).kind).toBe(
      'memory',
    );
    const crash = entryFailure(new TypeError('odd'), false, 64, noMap);
    expect(crash).toMatchObject({
      kind: 'crashed',
      error: { name: 'TypeError', code: 'E_FUNCTION_CRASHED', message: 'odd' },
    });
    expect(crash.kind === 'crashed' && crash.error.stack?.startsWith('mapped ')).toBe(true);
  });
});
