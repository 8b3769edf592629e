/**
 * The MinCloud compatibility suite's set-up: a real engine (startTestEngine) on each backend
 * (SQLite files; PostgreSQL, a fresh schema per file, dropped after), functions deployed
 * through the admin API, runs invoked through it (optionally for a user).
 */
import { expect } from 'vitest';
import type { TestEngine } from '../../helpers/engine.ts';

export { onEachBackend, startEngineOn } from '../../helpers/backends.ts';

/** Deploys `code` as function `name`; fails the test when the deploy is refused. */
export async function deploy(t: TestEngine, name: string, code: string): Promise<void> {
  const answer = await t.api('PUT', `/functions/${name}`, { code });
  expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(300);
}

/** Invokes `name` with `data` (and for `userId`); resolves MinCloud's `{code, data, error}` plus the job. */
export async function invoke(
  t: TestEngine,
  name: string,
  data: unknown = null,
  userId?: number,
): Promise<{
  code: number;
  data: any;
  error: any;
  job_id: string;
  log: Array<{ message: string }>;
}> {
  const answer = await t.api('POST', `/functions/${name}/invoke`, {
    data,
    ...(userId === undefined ? {} : { user_id: userId }),
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body;
}

/** Deploys and invokes in one go; expects the run to succeed and resolves its result. */
export async function runOk(
  t: TestEngine,
  name: string,
  code: string,
  data: unknown = null,
  userId?: number,
): Promise<any> {
  await deploy(t, name, code);
  const out = await invoke(t, name, data, userId);
  expect(out.code, JSON.stringify(out.error)).toBe(0);
  return out.data;
}

/** Creates a table through the admin API. */
export async function createTable(
  t: TestEngine,
  name: string,
  fields: Array<Record<string, unknown>>,
): Promise<void> {
  const answer = await t.api('POST', '/tables', { name, fields });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
}
