import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFunction, type SupervisedSandbox } from '../../../runtime/index.ts';
import { deploy, run, testSandbox } from './harness.ts';

let sandbox: SupervisedSandbox;
let dir: string;
beforeAll(async () => {
  sandbox = testSandbox();
  dir = mkdtempSync(join(tmpdir(), 'cloudfn-srcmap-'));
  await sandbox.ready();
});
afterAll(async () => {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('stacks point into the uploaded source', () => {
  it('maps a throw in a single uploaded file to its line and column', async () => {
    const source = [
      '// a comment',
      '',
      'function check(card) {',
      '  if (!card.code) throw new Error("card has no code");',
      '}',
      'exports.main = async (event) => {',
      '  check(event.data);',
      '};',
      '',
    ].join('\n');
    const fn = await deploy('mapped_single', source);
    const out = await run(sandbox, fn, {});
    expect(out.status).toBe('execution_failed');
    const stack = out.error?.stack ?? '';
    expect(stack).toContain('at check (mapped_single.js:4:25)');
    expect(stack).toContain('mapped_single.js:7:3');
    expect(stack).not.toContain('bundle.js');
    expect(stack).not.toContain('cloudfn:prelude');
  });

  it('maps frames of a TypeScript folder upload to each file', async () => {
    const fnDir = join(dir, 'ts_folder');
    mkdirSync(join(fnDir, 'lib'), { recursive: true });
    writeFileSync(
      join(fnDir, 'index.ts'),
      "import { parse } from './lib/parse.ts';\n\nexport async function main(event: { data: string }): Promise<number> {\n  return parse(event.data);\n}\n",
    );
    writeFileSync(
      join(fnDir, 'lib', 'parse.ts'),
      "interface Shape { n: number }\n\nexport function parse(text: string): number {\n  const shape = JSON.parse(text) as Shape;\n  if (typeof shape.n !== 'number') throw new TypeError(`no n in ${text}`);\n  return shape.n;\n}\n",
    );
    const { code } = await bundleFunction({ entry: fnDir });
    const fn = { name: 'ts_folder', version: 1, code, timeoutMs: 2000, memoryMb: 64, env: {} };
    expect(
      await sandbox.invoke({ fn, event: { data: '{"n":5}', eventType: 'invoke', jobId: 'ok' } }),
    ).toMatchObject({ status: 'fulfilled', result: 5 });
    const out = await sandbox.invoke({
      fn,
      event: { data: '{}', eventType: 'invoke', jobId: 'bad' },
    });
    expect(out.error?.name).toBe('TypeError');
    expect(out.error?.stack).toContain('lib/parse.ts:5:');
    expect(out.error?.stack).toContain('index.ts:4:');
  });

  it('keeps logged errors as the function printed them', async () => {
    const fn = await deploy(
      'logged_stack',
      'exports.main = async () => { console.error(new Error("logged")); return 1 }',
    );
    const out = await run(sandbox, fn);
    expect(out.log[0]?.message).toMatch(/^Error: logged/);
  });
});

describe('build errors', () => {
  it('report line, column and a code frame for a syntax error', async () => {
    const error = await bundleFunction({
      source: 'exports.main = async function (event) {\n  return { a: 1,, }\n}\n',
      filename: 'broken.js',
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'E_FUNCTION_BUILD',
      status: 400,
      details: { file: 'broken.js', line: 2, column: 17 },
    });
    expect((error as { details: { frame: string } }).details.frame).toContain(
      '> 2 |   return { a: 1,, }',
    );
  });

  it('refuse Node built-ins at build time, naming the line', async () => {
    const error = await bundleFunction({
      source:
        "const fs = require('fs');\nexports.main = async () => fs.readFileSync('/etc/passwd', 'utf8');\n",
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'E_FUNCTION_BUILD', details: { line: 1 } });
    expect((error as Error).message).toContain('Node built-in module "fs" is not available');
    const prefixed = await bundleFunction({
      source: "import { exec } from 'node:child_process';\nexport const main = () => exec('id');\n",
    }).catch((e: unknown) => e);
    expect((prefixed as Error).message).toContain('"node:child_process"');
  });

  it('report a folder without an index file', async () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty, { recursive: true });
    await expect(bundleFunction({ entry: empty })).rejects.toMatchObject({
      code: 'E_FUNCTION_BUILD',
    });
  });

  it('return the same sha256 for the same code', async () => {
    const a = await bundleFunction({ source: 'exports.main = async () => 1' });
    const b = await bundleFunction({ source: 'exports.main = async () => 1' });
    expect(a.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(a.sha256).toBe(b.sha256);
  });
});
