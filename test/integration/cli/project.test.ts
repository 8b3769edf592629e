import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../../helpers/engine.ts';
import { repoRoot } from '../../helpers/fixtures.ts';
import { runShell, userEnv, type ShellRun } from './user-shell.ts';

// A project outside the checkout, as a user has it: `cloudfn init` (cloudfn as a file:
// devDependency), `npm install` (offline), a function importing an npm package (a tiny local
// one, so nothing reaches the registry), `cloudfn deploy` (plan, apply, then all `=`),
// `cloudfn pull` round-trip, and `cloudfn dev` picking up an edit — waiting on its output,
// never on a timer.
describe('a cloudfn project outside the checkout', { timeout: 180_000 }, () => {
  let t: TestEngine;
  let home: string;
  let app: string;
  let engineEnv: NodeJS.ProcessEnv;
  const sh = (script: string, cwd = app, env = engineEnv): Promise<ShellRun> =>
    runShell(`set -euo pipefail\n${script}`, cwd, env);
  const ok = (r: ShellRun) => expect(r.code, `${r.stderr}\n${r.stdout}`).toBe(0);

  beforeAll(async () => {
    t = await startTestEngine();
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-project-'));
    app = path.join(home, 'app');
    engineEnv = userEnv({ CLOUDFN_URL: t.engine.url, CLOUDFN_ADMIN_TOKEN: t.engine.adminToken });
  });

  afterAll(async () => {
    await t?.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('inits a project whose npx cloudfn is the local devDependency', async () => {
    ok(
      await sh(
        `node ${path.join(repoRoot, 'bin/cloudfn.js')} init app --cloudfn file:${repoRoot}`,
        home,
      ),
    );
    const pkg = JSON.parse(fs.readFileSync(path.join(app, 'package.json'), 'utf8'));
    expect(pkg.devDependencies).toEqual({ cloudfn: `file:${repoRoot}` });
    for (const file of ['cloudfn.json', '.gitignore', '.env', 'pushes/event_subscribe.xml'])
      expect(fs.existsSync(path.join(app, file)), file).toBe(true);
    expect(fs.readFileSync(path.join(app, '.gitignore'), 'utf8')).toMatch(/^\.env$/m);

    // A tiny npm package of our own, and a function that imports it.
    fs.mkdirSync(path.join(app, 'vendor/tiny-lib'), { recursive: true });
    fs.writeFileSync(
      path.join(app, 'vendor/tiny-lib/package.json'),
      '{"name":"tiny-lib","version":"1.0.0","main":"index.js"}',
    );
    fs.writeFileSync(
      path.join(app, 'vendor/tiny-lib/index.js'),
      'exports.shout = (s) => String(s).toUpperCase() + "!";\n',
    );
    fs.writeFileSync(
      path.join(app, 'functions/shout.js'),
      "import { shout } from 'tiny-lib';\nexport async function main(event) {\n  return { said: shout(event.data.text) };\n}\n",
    );
    const project = JSON.parse(fs.readFileSync(path.join(app, 'cloudfn.json'), 'utf8'));
    project.functions.shout = 'functions/shout.js';
    fs.writeFileSync(path.join(app, 'cloudfn.json'), JSON.stringify(project, null, 2));

    const install = await sh('npm install && npm install ./vendor/tiny-lib');
    ok(install);
    expect(fs.realpathSync(path.join(app, 'node_modules/cloudfn'))).toBe(fs.realpathSync(repoRoot));
    const version = await sh('npx cloudfn --version');
    ok(version);
    expect(version.stdout.trim()).toBe(
      JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version,
    );
  });

  it('plans, applies, and then finds nothing to do', async () => {
    const dry = await sh('npx cloudfn deploy --dry-run');
    ok(dry);
    expect(dry.stdout).toMatch(/^\+ create\s+function\s+shout/m);
    expect(dry.stdout).toContain('Plan: 6 to create, 0 to update, 0 unchanged.');
    expect(dry.stderr).toContain('Dry run: nothing was changed.');
    expect((await t.api('GET', '/functions')).body.objects).toEqual([]);

    const apply = await sh('npx cloudfn deploy');
    ok(apply);
    expect(apply.stdout).toContain('created account wx2c2769f8efd9abc2');
    expect(apply.stdout).toContain('created function shout v1');
    expect(apply.stdout).toContain('Applied 6 changes.');
    // The size report names the package bundled in.
    expect(apply.stderr).toMatch(/^shout: [\d.]+ KB \(bundled\)$/m);
    expect(apply.stderr).toMatch(/^ {2}tiny-lib\s+[\d.]+ KB$/m);
    const invoked = await t.api('POST', '/functions/shout/invoke', { data: { text: 'hi' } });
    expect(invoked.body).toMatchObject({ code: 0, data: { said: 'HI!' } });

    const again = await sh('npx cloudfn deploy');
    ok(again);
    expect(again.stdout).toContain('Plan: 0 to create, 0 to update, 6 unchanged.');
    expect(again.stdout).not.toMatch(/^[+~] /m);
    expect(again.stdout).toContain('Nothing to do');

    // A new secret is a change the plan sees, though the engine never shows secrets.
    const rotated = await sh('WX_TOKEN=another-token npx cloudfn deploy --dry-run');
    ok(rotated);
    expect(rotated.stdout).toMatch(
      /^~ update\s+account\s+wx2c2769f8efd9abc2\s+\(token \/ EncodingAESKey\)/m,
    );
  });

  it('names a package that is not installed and the npm install to run', async () => {
    fs.writeFileSync(
      path.join(app, 'functions/broken.js'),
      "import left from 'left-pad-not-installed/sub';\nexports.main = async () => left('x');\n",
    );
    const r = await sh('npx cloudfn deploy functions/broken.js');
    fs.rmSync(path.join(app, 'functions/broken.js'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('E_CLI_MISSING_PACKAGE');
    expect(r.stderr).toContain('the package left-pad-not-installed is not installed');
    expect(r.stderr).toContain('npm install left-pad-not-installed');
  });

  it('pulls the project back, and the pulled project plans as unchanged', async () => {
    const pull = await sh('npx cloudfn pull ../pulled');
    ok(pull);
    const pulled = path.join(home, 'pulled');
    const example = fs.readFileSync(path.join(pulled, '.env.example'), 'utf8');
    expect(example).toMatch(/^WX2C2769F8EFD9ABC2_TOKEN=$/m);
    expect(example).toMatch(/^HELLO_GREETING=$/m);
    expect(fs.readdirSync(pulled, { recursive: true })).not.toContain('.env');
    for (const file of fs.readdirSync(pulled, { recursive: true }) as string[]) {
      if (fs.statSync(path.join(pulled, file)).isFile())
        expect(fs.readFileSync(path.join(pulled, file), 'utf8'), file).not.toContain('spamtest');
    }
    fs.writeFileSync(
      path.join(pulled, '.env'),
      'WX2C2769F8EFD9ABC2_TOKEN=spamtest\nWX2C2769F8EFD9ABC2_AES_KEY=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG\nHELLO_GREETING=Hi\n',
    );
    const plan = await sh(`node ${path.join(repoRoot, 'bin/cloudfn.js')} deploy --dry-run`, pulled);
    ok(plan);
    expect(plan.stdout).toContain('Plan: 0 to create, 0 to update, 6 unchanged.');
  });

  it('runs cloudfn dev: deploys, serves push/invoke, redeploys an edit, streams runs', async () => {
    const dev: ChildProcess = spawn('npx', ['cloudfn', 'dev', '--temp'], {
      cwd: app,
      env: userEnv(),
    });
    let out = '';
    const waiters: Array<{ text: string | RegExp; resolve: () => void }> = [];
    const check = () => {
      for (const w of [...waiters])
        if (typeof w.text === 'string' ? out.includes(w.text) : w.text.test(out)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
    };
    dev.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      check();
    });
    let err = '';
    dev.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number | null>((resolve) => dev.on('exit', resolve));
    const seen = (text: string | RegExp) =>
      Promise.race([
        new Promise<void>((resolve) => {
          waiters.push({ text, resolve });
          check();
        }),
        exited.then((code) => {
          throw new Error(`cloudfn dev exited (${code}) before "${text}":\n${err}\n${out}`);
        }),
      ]);
    try {
      await seen('Watching ');
      expect(out).toContain('Plan: 6 to create, 0 to update, 0 unchanged.');
      const devFile = JSON.parse(fs.readFileSync(path.join(app, '.cloudfn/dev.json'), 'utf8'));
      expect(devFile.url).not.toBe(t.engine.url);

      const second = await sh('npx cloudfn dev --temp', app, userEnv());
      expect(second.code).toBe(2);
      expect(second.stderr).toContain(
        `E_CLI_DEV_RUNNING: cloudfn dev already runs for ${app}: ${devFile.url}`,
      );

      // No CLOUDFN_URL: the commands find the dev engine through .cloudfn/dev.json.
      const before = await sh("npx cloudfn invoke hello '{}'", app, userEnv());
      ok(before);
      expect(JSON.parse(before.stdout)).toEqual({ greeting: 'Hi, world!' });
      const push = await sh(
        'npx cloudfn push wx2c2769f8efd9abc2 pushes/user_consume_card.xml --encrypt',
        app,
        userEnv(),
      );
      ok(push);
      expect(push.stdout).toContain('[log] saved card 452998530302');

      const file = path.join(app, 'functions/hello.ts');
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace("'world'", "'dev loop'"));
      await seen('updated function hello v2');
      expect(out).toMatch(/^~ update\s+function\s+hello\s+\(code\)$/m);
      const after = await sh("npx cloudfn invoke hello '{}'", app, userEnv());
      ok(after);
      expect(JSON.parse(after.stdout)).toEqual({ greeting: 'Hi, dev loop!' });
      await seen(/^hello .* fulfilled .* v2 {2}invoke/m);
      await seen(/^user_consume_card .* fulfilled .* trigger user_consume_card/m);
    } finally {
      const pid = JSON.parse(fs.readFileSync(path.join(app, '.cloudfn/dev.json'), 'utf8')).pid;
      process.kill(pid, 'SIGINT');
      expect(await exited).toBe(0);
    }
    expect(fs.existsSync(path.join(app, '.cloudfn/dev.json'))).toBe(false);
    // The project's engine was not touched by dev.
    expect((await t.api('GET', '/functions/hello')).body.version).toBe(1);
  });
});
