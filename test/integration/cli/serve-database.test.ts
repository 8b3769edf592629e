import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../helpers/fixtures.ts';
import { cliEnv } from './run-cli.ts';
import { runProcess } from './user-shell.ts';

// `cloudfn serve --database-url`: a URL that is not PostgreSQL, or a server that does not
// answer, stops the start at once with its code, exit non-zero, and never prints the password.
describe('cloudfn serve --database-url', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-serve-db-'));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const serve = (url: string) =>
    runProcess(
      path.join(repoRoot, 'node_modules/.bin/node'),
      [
        '--no-node-snapshot',
        path.join(repoRoot, 'bin/cloudfn.js'),
        'serve',
        '--port',
        '0',
        '--data-dir',
        path.join(tmp, 'data'),
        '--database-url',
        url,
      ],
      tmp,
      cliEnv({}),
    );

  it('refuses a URL that is not PostgreSQL with E_CONFIG_INVALID', async () => {
    const run = await serve('mysql://me:s3cret-pw@db/app');
    expect(run.code).not.toBe(0);
    expect(run.stderr + run.stdout).toContain('E_CONFIG_INVALID');
    expect(run.stderr + run.stdout).not.toContain('s3cret-pw');
  });

  it('stops with E_DATABASE_UNAVAILABLE naming host, port and database when nothing answers', async () => {
    // A port that was free a moment ago: nothing listens on it.
    const port = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = server.address() as net.AddressInfo;
        server.close(() => resolve(free));
      });
    });
    const run = await serve(`postgres://me:s3cret-pw@127.0.0.1:${port}/app`);
    expect(run.code).not.toBe(0);
    const output = run.stderr + run.stdout;
    expect(output).toContain('E_DATABASE_UNAVAILABLE');
    expect(output).toContain(`127.0.0.1:${port}/app`);
    expect(output).not.toContain('s3cret-pw');
  });
});
