import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestEngine } from '../../helpers/engine.ts';

describe('engine restart', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-restart-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('closes jobs a previous process left executing as execution_failed (E_ENGINE_RESTARTED), and keeps state', async () => {
    const first = await startTestEngine({ dataDir });
    expect(
      (await first.api('PUT', '/functions/hello', { code: 'exports.main = async () => "hi"' }))
        .status,
    ).toBe(201);
    // What a process killed mid-run leaves behind: a job row still `executing`.
    await first.engine.store.jobs.create({
      id: 'a'.repeat(24),
      function: 'hello',
      version: 1,
      source: 'invoke',
      status: 'executing',
      createdAt: Date.now(),
      data: null,
      inboxId: null,
      triggerName: null,
      triggerLogId: null,
    });
    const finished = await first.api('POST', '/functions/hello/invoke', { data: {} });
    expect(finished.body.code).toBe(0);
    await first.close();

    const second = await startTestEngine({ dataDir });
    try {
      const stale = await second.api('GET', `/jobs/${'a'.repeat(24)}`);
      expect(stale.body).toMatchObject({
        status: 'execution_failed',
        error: { code: 'E_ENGINE_RESTARTED' },
      });
      expect(stale.body.finished_at).not.toBeNull();
      const done = await second.api('GET', `/jobs/${finished.body.job_id}`);
      expect(done.body).toMatchObject({ status: 'fulfilled', result: 'hi' });
      expect((await second.api('POST', '/functions/hello/invoke', {})).body.data).toBe('hi');
    } finally {
      await second.close();
    }
  });
});
