import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../../helpers/engine.ts';
import { repoRoot } from '../../helpers/fixtures.ts';
import { cliEnv } from './run-cli.ts';

// docs/getting-started.md, followed literally: every ```sh block, in order, in one shell, as a
// newcomer would type them (`npx cloudfn …` from a folder inside the checkout), against a real
// engine. Only the engine's address and token come from the test.
const doc = fs.readFileSync(path.join(repoRoot, 'docs/getting-started.md'), 'utf8');
const blocks = [...doc.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);

describe('docs/getting-started.md', () => {
  let t: TestEngine;
  let dir: string;

  beforeAll(async () => {
    t = await startTestEngine();
    // Inside the checkout (its .tmp/ is ignored by git), so `npx cloudfn` finds the CLI.
    fs.mkdirSync(path.join(repoRoot, '.tmp'), { recursive: true });
    dir = fs.mkdtempSync(path.join(repoRoot, '.tmp', 'getting-started-'));
  });

  afterAll(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('has the walk-through as runnable blocks', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(8);
    expect(blocks.join('\n')).toContain(
      'npx cloudfn push wx2c2769f8efd9abc2 pushes/user_consume_card.xml --encrypt',
    );
  });

  it('gets a trigger firing when followed command by command', async () => {
    const script = [
      'set -euo pipefail',
      ...blocks.map((b, i) => `echo "=== block ${i + 1}" >&2\n${b}`),
    ].join('\n');
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
      (resolve, reject) => {
        const child = spawn('bash', ['-c', script], {
          cwd: dir,
          env: cliEnv({ CLOUDFN_URL: t.engine.url, CLOUDFN_ADMIN_TOKEN: t.engine.adminToken }),
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
        child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      },
    );
    expect(run.code, `${run.stderr}\n${run.stdout}`).toBe(0);

    expect(run.stdout).toContain('← 200 success');
    expect(run.stdout).toMatch(/succeeded\s+1 attempt\s+function:user_consume_card/);
    expect(run.stdout).toMatch(/fulfilled .* trigger user_consume_card/);
    expect(run.stdout).toContain('[log] saved card 452998530302');
    expect(run.stdout).toContain('user_consume_card: matches');
    expect(run.stdout).toMatch(
      /^[0-9a-f]{24},gh_fc0a06a20993,oZI8Fj040-be6rlDohc6gkoPOQTQ,1472549042,event,user_consume_card,/m,
    );
    expect(JSON.parse(run.stdout.slice(run.stdout.lastIndexOf('{')))).toEqual({
      greeting: 'Hi, Ada!',
    });

    const records = await t.api('GET', '/tables/user_consume_card/records');
    expect(records.body.objects).toHaveLength(1);
    expect(records.body.objects[0]).toMatchObject({
      UserCardCode: '452998530302',
      CreateTime: 1472549042,
      _AppId: 'wx2c2769f8efd9abc2',
    });
  }, 240_000); // a dozen `npx` starts: slow on a busy machine
});
