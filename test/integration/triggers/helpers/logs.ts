import { expect } from 'vitest';
import type { TestEngine } from '../../../helpers/engine.ts';

const FINAL = new Set(['succeeded', 'dead_letter']);

/**
 * Waits until the trigger has `count` log rows, all final (succeeded or dead_letter), and
 * returns them newest first. engine.settled() covers work due now; retries wait for their
 * back-off, so tests of retries poll the log instead.
 */
export async function finalLogs(
  t: Pick<TestEngine, 'api'>,
  trigger: string,
  count: number,
  timeout = 20_000,
): Promise<any[]> {
  let objects: any[] = [];
  await expect
    .poll(
      async () => {
        const answer = await t.api('GET', `/triggers/${trigger}/logs?limit=1000`);
        objects = answer.body.objects;
        return objects.length === count && objects.every((l) => FINAL.has(l.status));
      },
      { timeout, interval: 25 },
    )
    .toBe(true);
  return objects;
}
