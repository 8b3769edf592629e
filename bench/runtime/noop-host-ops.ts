/**
 * HostOps that do no I/O, to isolate the bridge's own cost in the bench: `table.create`
 * answers the record a store would (id and times added), everything else answers 0.
 */
import type { CreateHostOps } from '../../runtime/index.ts';

export const createHostOps: CreateHostOps = () => ({
  call(op, args) {
    if (op !== 'table.create') return 0;
    const data = (args as { data?: Record<string, unknown> } | null)?.data ?? {};
    return {
      id: '0123456789abcdef01234567',
      ...data,
      created_at: 1,
      updated_at: 1,
      created_by: null,
    };
  },
  close: () => undefined,
});
