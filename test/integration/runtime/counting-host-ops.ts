/**
 * A real HostOps module for runtime tests, loaded by the executor exactly like the tables one.
 * It is not a table store: it counts the operations it receives, reports each one as a host
 * event, answers `table.count` with that counter (so a guest can make a cheap synchronous host
 * call through the SDK), fails with a plain Error for the table named `crash`, and refuses
 * everything else.
 */
import type { CreateHostOps } from '../../../runtime/index.ts';

class RefusalError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(code: string, message: string, status: number) {
    super(message);
    this.name = 'RefusalError';
    this.code = code;
    this.status = status;
  }
}

export const createHostOps: CreateHostOps = (options, emit) => {
  let calls = (options as { start?: number } | null)?.start ?? 0;
  return {
    call(op, args, context) {
      calls++;
      const table = (args as { table?: unknown } | null)?.table;
      emit('op.seen', { op, table, functionName: context.functionName, jobId: context.jobId });
      if (table === 'crash')
        throw new Error('internal detail /secret/path that must not reach the guest');
      if (op === 'table.count') return calls;
      throw new RefusalError('E_TEST_REFUSED', `${op} refused on purpose`, 409);
    },
    close() {
      calls = 0;
    },
  };
};
