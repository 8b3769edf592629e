import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConnection } from '../../../engine/cli/connection.ts';

// Where the CLI finds the engine and its token: flags, then environment, then the token file
// the engine keeps in its data dir (a real temp dir here).
describe('resolveConnection', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-conn-'));
  fs.mkdirSync(path.join(dir, 'data'));
  fs.writeFileSync(path.join(dir, 'data', 'admin-token'), 'from-file\n');
  fs.mkdirSync(path.join(dir, 'elsewhere'));
  fs.writeFileSync(path.join(dir, 'elsewhere', 'admin-token'), 'from-data-dir\n');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('defaults to http://127.0.0.1:3000 and ./data/admin-token', () => {
    expect(resolveConnection({}, {}, dir)).toEqual({
      url: 'http://127.0.0.1:3000',
      token: 'from-file',
      tokenSource: path.join(dir, 'data', 'admin-token'),
    });
  });
  it('takes flags over the environment over the file', () => {
    const env = { CLOUDFN_URL: 'http://engine:8080/', CLOUDFN_ADMIN_TOKEN: 'from-env' };
    expect(resolveConnection({}, env, dir)).toMatchObject({
      url: 'http://engine:8080',
      token: 'from-env',
      tokenSource: 'CLOUDFN_ADMIN_TOKEN',
    });
    expect(
      resolveConnection({ url: 'https://fn.example.com/base/', adminToken: 'flag' }, env, dir),
    ).toMatchObject({
      url: 'https://fn.example.com/base',
      token: 'flag',
      tokenSource: '--admin-token',
    });
  });
  it('finds data/admin-token in a parent folder (a functions folder inside the checkout)', () => {
    fs.mkdirSync(path.join(dir, 'my-app', 'functions'), { recursive: true });
    expect(resolveConnection({}, {}, path.join(dir, 'my-app', 'functions'))).toMatchObject({
      token: 'from-file',
      tokenSource: path.join(dir, 'data', 'admin-token'),
    });
  });
  it('follows CLOUDFN_DATA_DIR, and goes without a token when there is none', () => {
    expect(resolveConnection({}, { CLOUDFN_DATA_DIR: 'elsewhere' }, dir).token).toBe(
      'from-data-dir',
    );
    expect(resolveConnection({}, { CLOUDFN_DATA_DIR: 'missing' }, dir)).toMatchObject({
      token: undefined,
      tokenSource: 'none',
    });
  });
  it('refuses a URL that is not http(s) as a usage error', () => {
    expect(() => resolveConnection({ url: 'localhost:3000' }, {}, dir)).toThrow(
      /not an http\(s\) URL|not a URL/,
    );
    expect(() => resolveConnection({ url: 'nope' }, {}, dir)).toThrow(/is not a URL/);
  });
});
