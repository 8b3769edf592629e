/**
 * The engine as users run it, `cloudfn serve` in a process of its own: settings from the
 * environment, the generated admin token, /healthz, a clean SIGINT and a SIGKILL mid-job.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killServe, startServe, type ServeProcess } from '../../helpers/serve-process.ts';

const running: ServeProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  while (running.length > 0) await killServe(running.pop());
  while (dirs.length > 0) fs.rmSync(dirs.pop()!, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-serve-'));
  dirs.push(dir);
  return dir;
}

async function serve(options: Parameters<typeof startServe>[0]): Promise<ServeProcess> {
  const started = await startServe(options);
  running.push(started);
  return started;
}

/** A port nobody listens on right now. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The token the engine printed on this start, if it printed one. */
function printedToken(lines: string[]): string | undefined {
  for (const line of lines) {
    const match = /^Admin token \(kept in (.+)\/admin-token\): (\S+)$/.exec(line);
    if (match) return match[2];
  }
  return undefined;
}

describe('cloudfn serve', () => {
  it('takes PORT, HOST and CLOUDFN_DATA_DIR from the environment and answers /healthz', async () => {
    const cwd = tempDir();
    const dataDir = path.join(tempDir(), 'state');
    const port = await freePort();
    const engine = await serve({
      cwd,
      env: { PORT: String(port), HOST: '127.0.0.1', CLOUDFN_DATA_DIR: dataDir },
    });
    expect(engine.url).toBe(`http://127.0.0.1:${port}`);
    const health = await fetch(`${engine.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    // State went where the environment said, not to ./data of the working folder.
    expect(fs.existsSync(path.join(dataDir, 'engine.db'))).toBe(true);
    expect(fs.existsSync(path.join(cwd, 'data'))).toBe(false);
  });

  it('generates an admin token on first start, prints it once, keeps it in data/admin-token and reuses it', async () => {
    const cwd = tempDir();
    const first = await serve({ cwd });
    // The token line follows the "listening" line: wait for it.
    await expect.poll(() => printedToken(first.lines), { timeout: 10_000 }).toBeDefined();
    const token = printedToken(first.lines)!;
    const file = path.join(cwd, 'data', 'admin-token');
    expect(fs.readFileSync(file, 'utf8').trim()).toBe(token);
    if (process.platform !== 'win32') expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect((await first.api(token, 'GET', '/functions')).status).toBe(200);
    expect((await first.api('wrong', 'GET', '/functions')).status).toBe(401);
    first.child.kill('SIGTERM');
    expect(await first.exited).toEqual({ code: 0, signal: null });

    const second = await serve({ cwd });
    expect((await second.api(token, 'GET', '/functions')).status).toBe(200);
    // Printed once: the second start says nothing of it.
    expect(printedToken(second.lines)).toBeUndefined();
    expect(second.lines.join('\n')).not.toContain(token);
  });

  it('on SIGINT finishes, exits 0, and keeps what was done', async () => {
    const cwd = tempDir();
    const token = 'sigint-token';
    const first = await serve({ cwd, env: { CLOUDFN_ADMIN_TOKEN: token } });
    expect(
      (
        await first.api(token, 'PUT', '/functions/kept', {
          code: 'exports.main = async (e) => "kept " + e.data',
        })
      ).status,
    ).toBe(201);
    const ran = await first.api(token, 'POST', '/functions/kept/invoke', { data: 1 });
    expect(ran.body).toMatchObject({ code: 0, data: 'kept 1' });
    first.child.kill('SIGINT');
    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(first.lines.some((l) => l.includes('shutting down'))).toBe(true);

    const second = await serve({ cwd, env: { CLOUDFN_ADMIN_TOKEN: token } });
    expect((await second.api(token, 'GET', `/jobs/${ran.body.job_id}`)).body).toMatchObject({
      status: 'fulfilled',
      result: 'kept 1',
    });
    expect(
      (await second.api(token, 'POST', '/functions/kept/invoke', { data: 2 })).body,
    ).toMatchObject({
      data: 'kept 2',
    });
  });

  it('after a SIGKILL mid-job, closes that job as execution_failed with E_ENGINE_RESTARTED', async () => {
    const cwd = tempDir();
    const token = 'sigkill-token';
    const first = await serve({ cwd, env: { CLOUDFN_ADMIN_TOKEN: token } });
    expect(
      (
        await first.api(token, 'PUT', '/functions/stuck', {
          code: 'exports.main = () => new Promise(() => {})',
          timeoutMs: 600_000,
        })
      ).status,
    ).toBe(201);
    const invoking = first.api(token, 'POST', '/functions/stuck/invoke', {}).catch(() => undefined);
    // The job is stored as executing (the list reads through the write-behind batch).
    let jobId: string | undefined;
    await expect
      .poll(
        async () => {
          const jobs = await first.api(token, 'GET', '/functions/stuck/jobs?status=executing');
          jobId = jobs.body.objects[0]?.id;
          return jobId;
        },
        { timeout: 20_000 },
      )
      .toBeDefined();
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    await invoking;

    const second = await serve({ cwd, env: { CLOUDFN_ADMIN_TOKEN: token } });
    const job = await second.api(token, 'GET', `/jobs/${jobId}`);
    expect(job.body).toMatchObject({
      status: 'execution_failed',
      error: { code: 'E_ENGINE_RESTARTED' },
    });
    expect(job.body.finished_at).not.toBeNull();
  });
});
