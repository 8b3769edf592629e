import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../../helpers/engine.ts';
import { repoRoot } from '../../helpers/fixtures.ts';

// README's tutorial, pasted into a shell from the checkout as a reader would. Only the first
// line (the engine's address and token) is replaced by the test engine's.
const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
const tutorial = [...readme.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!)[1]!;

describe('README walk-through', () => {
  let t: TestEngine;
  beforeAll(async () => {
    t = await startTestEngine();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('saves the pushed coupon and shows the job and trigger log', async () => {
    const [first, ...rest] = tutorial.split('\n');
    expect(first).toMatch(
      /^export CLOUDFN=http:\/\/127\.0\.0\.1:3000 TOKEN=\$\(cat data\/admin-token\)$/,
    );
    const script = [`export CLOUDFN=${t.engine.url} TOKEN=${t.engine.adminToken}`, ...rest].join(
      '\n',
    );
    // Asynchronously: the engine answering the script's curl runs in this process.
    const run = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', script], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 60_000,
    });
    const lines = run.stdout.trim().split('\n');
    expect(lines).toContain('success');
    const [records, jobs, logs] = lines.slice(-3).map((line) => JSON.parse(line));
    expect(records.objects[0]).toMatchObject({
      UserCardCode: '452998530302',
      CreateTime: 1472549042,
      _AppId: 'wx2c2769f8efd9abc2',
    });
    expect(jobs.objects[0]).toMatchObject({ status: 'fulfilled' });
    expect(logs.objects[0]).toMatchObject({ status: 'succeeded', job_id: jobs.objects[0].id });
  });
});
