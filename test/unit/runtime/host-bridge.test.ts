// Both ends of a host call as plain code: the executor's replies and refusals, the guest's
// host caller and the table SDK's bridge, with answers given at once and through promises.
import { describe, expect, it } from 'vitest';
import {
  failureReply,
  okReply,
  pendingReply,
  refuseHostCall,
} from '../../../runtime/executor/host-call-replies.ts';
import { createHostCaller } from '../../../runtime/guest/host-call.ts';
import { Bridge } from '../../../runtime/guest/tables/bridge.ts';

describe('the executor’s replies to a host call', () => {
  it('refuses arguments that are not a name and JSON, too large, or nested too deep', () => {
    const refused = (op: unknown, args: unknown, max = 100) =>
      JSON.parse(refuseHostCall(op, args, max) ?? 'null') as { error: { code: string } } | null;
    expect(refused(1, '{}')?.error.code).toBe('E_HOST_OP_FAILED');
    expect(refused('table.count', 'x'.repeat(101))?.error).toMatchObject({
      code: 'E_FUNCTION_ARGUMENT_TOO_LARGE',
      status: 413,
    });
    expect(refused('table.count', '['.repeat(200) + ']'.repeat(200), 1000)?.error.code).toBe(
      'E_JSON_TOO_DEEP',
    );
    expect(refused('table.count', '{"table":"t"}')).toBeNull();
  });

  it('passes a coded refusal on with its details, and hides anything else', () => {
    const coded = Object.assign(new Error('no such field'), {
      code: 'E_TABLE_UNKNOWN_FIELD',
      status: 400,
      details: { field: 'x' },
    });
    expect(JSON.parse(failureReply('table.create', coded))).toEqual({
      error: {
        name: 'Error',
        code: 'E_TABLE_UNKNOWN_FIELD',
        status: 400,
        message: 'no such field',
        details: { field: 'x' },
      },
    });
    const hidden = JSON.parse(failureReply('table.create', new Error('/secret/path'))) as {
      error: { code: string; status: number; message: string };
    };
    expect(hidden.error).toMatchObject({ code: 'E_HOST_OP_FAILED', status: 500 });
    expect(hidden.error.message).not.toContain('secret');
  });

  it('writes undefined as null, and a pending answer by its id', () => {
    expect(okReply(undefined)).toBe('{"ok":null}');
    expect(JSON.parse(pendingReply(7))).toEqual({ pending: 7 });
  });
});

describe('the guest’s host caller', () => {
  it('answers the value at once, throws a refusal, and promises a pending answer', async () => {
    const replies: Record<string, string> = {
      now: okReply(3),
      refused: JSON.stringify({
        error: { name: 'Error', code: 'E_NO', status: 409, message: 'no' },
      }),
      later: pendingReply(1),
      laterRefused: pendingReply(2),
    };
    const { call, pendingCalls } = createHostCaller((op) => replies[op] as string);
    expect(call('now', {})).toBe(3);
    expect(() => call('refused', {})).toThrow(expect.objectContaining({ reason: 'E_NO' }));
    const later = call('later', {}) as Promise<unknown>;
    const laterRefused = call('laterRefused', {}) as Promise<unknown>;
    expect(pendingCalls.pending()).toBe(2);
    pendingCalls.settle(1, okReply({ id: 1 }));
    pendingCalls.settle(2, failureReply('x', Object.assign(new Error('gone'), { code: 'E_GONE' })));
    pendingCalls.settle(3, okReply('nobody waits for this one'));
    await expect(later).resolves.toEqual({ id: 1 });
    await expect(laterRefused).rejects.toMatchObject({ reason: 'E_GONE', message: 'gone' });
    expect(pendingCalls.pending()).toBe(0);
  });

  it('forgets pending calls when the job ends', () => {
    const { call, pendingCalls } = createHostCaller(() => pendingReply(1));
    void call('later', {});
    pendingCalls.reset();
    expect(pendingCalls.pending()).toBe(0);
  });
});

describe('the table SDK’s bridge', () => {
  it('delivers answers given at once and through promises alike, refusals as HErrors', async () => {
    // The fake host answers by table name: at once, later, or by refusing either way.
    const bridge = new Bridge((_op, args) => {
      const table = (args as { table: string }).table;
      if (table === 'sync') return 1;
      if (table === 'async') return Promise.resolve(2);
      if (table === 'asyncRefused')
        return Promise.reject(Object.assign(new Error('late no'), { code: 'E_LATE', status: 409 }));
      throw Object.assign(new Error('no'), { code: 'E_NOW', status: 400 });
    });
    await expect(bridge.request('table.count', { table: 'sync' }, 200)).resolves.toEqual({
      status: 200,
      statusText: 'OK',
      data: 1,
    });
    await expect(bridge.invoke('table.count', { table: 'async' })).resolves.toBe(2);
    await expect(bridge.invoke('table.count', { table: 'asyncRefused' })).rejects.toMatchObject({
      name: 'HError',
      code: 400,
      reason: 'E_LATE',
      status: 409,
    });
    await expect(bridge.invoke('table.count', { table: 'refused' })).rejects.toMatchObject({
      name: 'HError',
      reason: 'E_NOW',
    });
  });
});
