import { ValidationError } from '../../errors.ts';
import type { ReferenceKind } from '../../dispatch/trigger-references.ts';

/**
 * Refuses (409 E_IN_USE) to delete a function, table or account that triggers name, unless
 * forced; TriggerAdmin.assertUnused in the engine.
 */
export type InUseCheck = (kind: ReferenceKind, name: string, force: boolean) => void;

/** `?force=true` (or `1`) on a DELETE; anything else but `false`/`0`/absent is a 400. */
export function forceParam(query: Record<string, unknown>): boolean {
  const raw = query.force;
  if (raw === undefined || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1' || raw === '') return true;
  throw new ValidationError('E_INVALID_QUERY', 'Query parameter "force" must be true or false.', {
    parameter: 'force',
  });
}
