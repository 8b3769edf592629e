/** Applies a plan, step by step in its order; stops at the first refusal (nothing is rolled back). */
import type { AdminClient } from '../admin-client.ts';
import type { Io } from '../io.ts';
import type { Step } from './plan.ts';

const DONE = { create: 'created', update: 'updated' } as const;

export async function applyPlan(client: AdminClient, steps: Step[], io: Io): Promise<number> {
  let applied = 0;
  for (const s of steps) {
    if (s.action === 'unchanged' || s.request === undefined) continue;
    // A table whose only difference is a field type has nothing to send.
    if (s.kind === 'table' && s.action === 'update' && s.changes.length === 0) continue;
    const answer = await client.call<{ version?: number }>(s.request.method, s.request.route, {
      body: s.request.body,
    });
    const version = s.kind === 'function' && answer?.version ? ` v${answer.version}` : '';
    io.out(`${DONE[s.action]} ${s.kind} ${s.name}${version}`);
    applied += 1;
  }
  return applied;
}
