import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../../helpers/engine.ts';
import { runCli } from './run-cli.ts';

// Exit codes scripts can rely on: 0 ok, 1 the engine refused, 2 usage, 3 unreachable — each
// with a readable error (code, message, hint) on stderr.
describe('cloudfn exit codes and errors', { timeout: 120_000 }, () => {
  let t: TestEngine;
  let env: Record<string, string>;
  let dir: string;

  beforeAll(async () => {
    t = await startTestEngine();
    env = { CLOUDFN_URL: t.engine.url, CLOUDFN_ADMIN_TOKEN: t.engine.adminToken };
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-cli-exit-'));
  });

  afterAll(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('3 when nothing listens at the URL, naming the URL and how to start an engine', async () => {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    const run = await runCli(['functions', 'list', '--url', `http://127.0.0.1:${port}`], {
      env: { CLOUDFN_ADMIN_TOKEN: 'x' },
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(
      `error E_CLI_UNREACHABLE: Cannot reach a cloudfn engine at http://127.0.0.1:${port} (ECONNREFUSED)`,
    );
    expect(run.stderr).toContain('npm start');
  });

  it('3 when the URL answers but is not a cloudfn engine', async () => {
    const server = http.createServer((_req, res) =>
      res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>nginx</h1>'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const run = await runCli(['tables', 'list'], {
        env: { CLOUDFN_URL: url, CLOUDFN_ADMIN_TOKEN: 'x' },
      });
      expect(run.code).toBe(3);
      expect(run.stderr).toContain('error E_CLI_NOT_AN_ENGINE:');
      expect(run.stderr).toContain('HTTP 404 with a text/html answer');
      const ok = http.createServer((_req, res) =>
        res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>hello</h1>'),
      );
      await new Promise<void>((resolve) => ok.listen(0, '127.0.0.1', resolve));
      const plain = await runCli(
        ['tables', 'list', '--url', `http://127.0.0.1:${(ok.address() as AddressInfo).port}`],
        { env: { CLOUDFN_ADMIN_TOKEN: 'x' } },
      );
      await new Promise((resolve) => ok.close(resolve));
      expect(plain.code).toBe(3);
      expect(plain.stderr).toContain('E_CLI_NOT_AN_ENGINE');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('1 with code, message and hint when the engine refuses the token', async () => {
    const run = await runCli(['functions', 'list'], {
      env: { ...env, CLOUDFN_ADMIN_TOKEN: 'wrong' },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error E_UNAUTHORIZED:');
    expect(run.stderr).toMatch(/hint: The token from CLOUDFN_ADMIN_TOKEN was refused/);
  });

  it('reads the token the engine keeps in <CLOUDFN_DATA_DIR>/admin-token when none is given', async () => {
    fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'data', 'admin-token'), `${t.engine.adminToken}\n`);
    const fromDefault = await runCli(['functions', 'list', '--json'], {
      env: { CLOUDFN_URL: t.engine.url },
      cwd: dir,
    });
    expect(fromDefault.code, fromDefault.stderr).toBe(0);
    expect(JSON.parse(fromDefault.stdout)).toMatchObject({ meta: { total_count: 0 }, objects: [] });
    const none = await runCli(['functions', 'list', '--url', t.engine.url], {
      env: { CLOUDFN_DATA_DIR: path.join(dir, 'nowhere') },
    });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('No admin token found');
  });

  it('1 when the engine refuses a request, with its error code', async () => {
    const run = await runCli(['invoke', 'nope'], { env });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error E_FUNCTION_NOT_FOUND: No function named "nope"');
    expect(run.stderr).toContain('hint: Deploy it first');
  });

  it('2 for usage errors: unknown command, missing argument, bad option values, missing files', async () => {
    const cases: Array<[string[], string]> = [
      [['deplyo', 'x.js'], "unknown command 'deplyo'"],
      [['invoke'], "missing required argument 'name'"],
      [['invoke', 'hello', '{not json'], 'is not JSON'],
      [['tables', 'create', 't', '--field', 'Amount:money'], 'is not a field'],
      [['tables', 'create', 't'], 'A table needs fields'],
      [['deploy', path.join(dir, 'missing.js')], 'E_CLI_FILE'],
      [['triggers', 'create', path.join(dir, 'missing.json')], 'E_CLI_FILE'],
      [
        ['accounts', 'set', 'wx1', '--token', 't', '--mode', 'secret'],
        "argument 'secret' is invalid",
      ],
      [['deploy', 'x.js', '--timeout', 'soon'], '--timeout must be a positive integer'],
      [['functions', 'list', '--url', 'ftp://example.com'], 'is not an http(s) URL'],
    ];
    for (const [args, message] of cases) {
      const run = await runCli(args, { env });
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr, args.join(' ')).toContain(message);
    }
  });
});
