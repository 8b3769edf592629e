import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../../helpers/engine.ts';
import { repoRoot } from '../../helpers/fixtures.ts';
import { runShell } from './user-shell.ts';

// docs/getting-started.md, followed literally: every ```sh block, in order, in one shell, as a
// newcomer would type them, from a folder outside the checkout that holds it as `cloudfn`
// (its bin/, and a data/admin-token as `npm start` leaves it). `npx cloudfn dev` runs in the
// background as a second terminal would, and the next block starts once it says it watches.
// Only the engine of section 6 comes from the test (its address replaces 127.0.0.1:3000).
const doc = fs.readFileSync(path.join(repoRoot, 'docs/getting-started.md'), 'utf8');
const blocks = [...doc.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
const DEV = 'npx cloudfn dev\n';

describe('docs/getting-started.md', () => {
  let t: TestEngine;
  let home: string;

  beforeAll(async () => {
    t = await startTestEngine();
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-guide-'));
    fs.mkdirSync(path.join(home, 'cloudfn', 'data'), { recursive: true });
    fs.symlinkSync(path.join(repoRoot, 'bin'), path.join(home, 'cloudfn', 'bin'));
    fs.writeFileSync(path.join(home, 'cloudfn', 'data', 'admin-token'), t.engine.adminToken);
  });

  afterAll(async () => {
    await t?.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('has the walk-through as runnable blocks', () => {
    expect(blocks).toContain(DEV);
    expect(blocks.join('\n')).toContain('cloudfn/bin/cloudfn.js init my-app');
    expect(blocks.join('\n')).toContain(
      'npx cloudfn push wx2c2769f8efd9abc2 pushes/user_consume_card.xml --encrypt',
    );
  });

  it('gets a trigger firing under cloudfn dev, then deploys the project to an engine', async () => {
    const devLog = path.join(home, 'dev.log');
    const script = [
      'set -euo pipefail',
      // Ctrl-C for the dev terminal, at the end: the engine it runs is the process in dev.json.
      `stop_dev() { if [ -n "\${DEV_PID:-}" ]; then kill -INT "$(node -p 'require("${home}/my-app/.cloudfn/dev.json").pid')"; wait "$DEV_PID" || true; fi; }`,
      'trap stop_dev EXIT',
      ...blocks.map((b, i) => {
        const body =
          b === DEV
            ? `npx cloudfn dev > ${devLog} 2>&1 &\nDEV_PID=$!\nuntil grep -q '^Watching ' ${devLog}; do kill -0 $DEV_PID || { cat ${devLog} >&2; exit 1; }; sleep 0.2; done`
            : b.replaceAll('http://127.0.0.1:3000', t.engine.url);
        return `echo "=== block ${i + 1}" >&2\n${body}`;
      }),
    ].join('\n');
    const run = await runShell(script, home);
    const dev = fs.existsSync(devLog) ? fs.readFileSync(devLog, 'utf8') : '';
    expect(run.code, `${run.stderr}\n${run.stdout}\n--- dev:\n${dev}`).toBe(0);

    // Section 3: dev deployed the project and streamed the run of the push.
    expect(dev).toMatch(/^\+ create\s+account\s+wx2c2769f8efd9abc2/m);
    expect(dev).toContain('created trigger user_consume_card');
    expect(dev).toMatch(/^user_consume_card .* fulfilled .* trigger user_consume_card/m);
    expect(dev).toContain('[log] saved card 452998530302');
    // Section 4: the push, its run and the row, on the dev engine.
    expect(run.stdout).toContain('← 200 success');
    expect(run.stdout).toMatch(/succeeded\s+1 attempt\s+function:user_consume_card/);
    expect(run.stdout).toMatch(
      /^[0-9a-f]{24},gh_fc0a06a20993,oZI8Fj040-be6rlDohc6gkoPOQTQ,1472549042,event,user_consume_card,/m,
    );
    expect(run.stdout).toContain('"greeting": "Hi, Ada!"');
    // Section 6: the plan, the apply, and a second deploy with nothing to do.
    expect(run.stdout).toContain('Plan: 5 to create, 0 to update, 0 unchanged.');
    expect(run.stdout).toContain('Applied 5 changes.');
    expect(run.stdout).toContain('Plan: 0 to create, 0 to update, 5 unchanged.');
    expect(run.stdout).toContain('Nothing to do: the engine is up to date.');
    const functions = await t.api('GET', '/functions');
    expect(functions.body.objects.map((f: { name: string }) => f.name).sort()).toEqual([
      'hello',
      'user_consume_card',
    ]);
    expect(fs.existsSync(path.join(home, 'from-engine', 'cloudfn.json'))).toBe(true);
    // Ctrl-C stopped dev cleanly and it left no connection file behind.
    expect(fs.existsSync(path.join(home, 'my-app', '.cloudfn', 'dev.json'))).toBe(false);
    expect(dev).toContain('cloudfn dev: stopped.');
  }, 300_000); // a dozen `npx` starts and an npm install: slow on a busy machine
});
