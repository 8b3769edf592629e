import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../helpers/fixtures.ts';
import { runShell, userEnv } from './user-shell.ts';

// A fresh clone with nothing beside it, as a new user gets it: `npm ci`, then the README's
// tutorial exactly as written (its sh block run by bash, against `npm start` in the clone; only
// the port is the test's, as 3000 may be taken), and the suite's own WeChat fixture tests.
// It clones the checkout's HEAD: commit first. Slow (an `npm ci`), so it runs when
// CLOUDFN_SLOW_TESTS=1, which .ci/run sets.
const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
const tutorial = [...readme.matchAll(/^```sh\n([\s\S]*?)^```$/gm)]
  .map((m) => m[1]!)
  .find((b) => b.includes('export CLOUDFN='));

describe.runIf(process.env.CLOUDFN_SLOW_TESTS === '1')(
  'a fresh clone',
  { timeout: 300_000 },
  () => {
    let home: string;
    let clone: string;
    let engine: ChildProcess | undefined;
    let url = '';

    beforeAll(async () => {
      home = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-clone-'));
      clone = path.join(home, 'cloudfn');
      execFileSync('git', ['clone', '--quiet', repoRoot, clone], { env: userEnv() });
      const ci = await runShell(
        'npm ci --prefer-offline --no-audit --no-fund',
        clone,
        userEnv({ npm_config_offline: 'false' }),
      );
      expect(ci.code, ci.stderr).toBe(0);
      // Its own process group, so the test stops exactly what it started (npm, the launcher, the engine).
      engine = spawn('npm', ['start'], { cwd: clone, env: userEnv({ PORT: '0' }), detached: true });
      let log = '';
      url = await new Promise<string>((resolve, reject) => {
        engine!.on('exit', (code) => reject(new Error(`npm start exited (${code}):\n${log}`)));
        const read = (c: Buffer) => {
          log += c.toString();
          const found = /cloudfn listening on (http:\/\/[\d.:]+)/.exec(log);
          if (found && fs.existsSync(path.join(clone, 'data/admin-token'))) resolve(found[1]!);
        };
        engine!.stdout!.on('data', read);
        engine!.stderr!.on('data', read);
      });
      engine.removeAllListeners('exit');
    }, 300_000);

    afterAll(async () => {
      if (engine && engine.exitCode === null) {
        // The whole group it started: npm, the launcher and the engine (which exits cleanly).
        const exited = new Promise((resolve) => engine!.on('exit', resolve));
        process.kill(-engine.pid!, 'SIGTERM');
        await exited;
      }
      fs.rmSync(home, { recursive: true, force: true });
    }, 60_000);

    it('has nothing outside itself to read', () => {
      expect(fs.readdirSync(home)).toEqual(['cloudfn']);
      expect(tutorial).toBeDefined();
    });

    it("runs the README's tutorial as written: the row, the job with its log, the trigger log", async () => {
      const run = await runShell(
        `set -euo pipefail\n${tutorial!.replaceAll('http://127.0.0.1:3000', url)}`,
        clone,
      );
      expect(run.code, `${run.stderr}\n${run.stdout}`).toBe(0);
      const answers = run.stdout
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l));
      const records = answers.find((a) => a.objects?.[0]?.UserCardCode !== undefined);
      expect(records.objects).toHaveLength(1);
      expect(records.objects[0]).toMatchObject({
        UserCardCode: '452998530302',
        CreateTime: 1472549042,
        _AppId: 'wx2c2769f8efd9abc2',
      });
      const jobs = answers.find((a) => a.objects?.[0]?.function === 'user_consume_card');
      expect(jobs.objects[0].status).toBe('fulfilled');
      expect(JSON.stringify(jobs.objects[0].log)).toContain('452998530302');
      const logs = answers.find(
        (a) =>
          a.objects?.[0]?.trigger === 'user_consume_card' && a.objects[0].attempts !== undefined,
      );
      expect(logs.objects[0].status).toBe('succeeded');
      expect(run.stdout).toContain('success');
    });

    it("passes the suite's own WeChat fixture tests", async () => {
      const run = await runShell(
        'npx vitest run test/unit/wechat/fixture-data.test.ts test/unit/wechat/vectors.test.ts',
        clone,
      );
      expect(run.code, `${run.stderr}\n${run.stdout}`).toBe(0);
    });
  },
);
