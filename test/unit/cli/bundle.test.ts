import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageOf, prepareUpload, sizeReport } from '../../../engine/cli/bundle.ts';
import { CliError } from '../../../engine/cli/errors.ts';

// deploy's local build with real esbuild on real files: what goes up as written, what is
// bundled with the project's node_modules, and how a missing package or a Node built-in is told.
let dir: string;
const write = (file: string, text: string) => {
  fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  fs.writeFileSync(path.join(dir, file), text);
  return path.join(dir, file);
};

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-bundle-'));
  write('node_modules/@acme/greet/package.json', '{"name":"@acme/greet","main":"index.js"}');
  write('node_modules/@acme/greet/index.js', 'exports.greet = (n) => "hello " + n;\n');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function failure(target: string): Promise<CliError> {
  try {
    await prepareUpload(target, undefined);
  } catch (err) {
    if (err instanceof CliError) return err;
    throw err;
  }
  throw new Error('built');
}

describe('prepareUpload', () => {
  it('uploads a file that imports nothing as written', async () => {
    const source = 'exports.main = async () => 42;\n';
    const upload = await prepareUpload(write('functions/plain.js', source), undefined);
    expect(upload).toMatchObject({
      name: 'plain',
      code: source,
      filename: 'plain.js',
      bundled: false,
    });
    expect(sizeReport(upload)).toEqual([`plain: 0.0 KB (as written)`]);
  });

  it("bundles a package from the project's node_modules and reports its share", async () => {
    const upload = await prepareUpload(
      write(
        'functions/hi.ts',
        "import { greet } from '@acme/greet';\nexport const main = async (e: { data: string }) => greet(e.data);\n",
      ),
      undefined,
    );
    expect(upload.bundled).toBe(true);
    expect(upload.filename).toBe('hi.js');
    expect(upload.code).toContain('"hello " + n');
    expect(upload.parts.map((p) => p.name).sort()).toEqual(['(your code)', '@acme/greet']);
    const report = sizeReport(upload);
    expect(report[0]).toMatch(/^hi: [\d.]+ KB \(bundled\)$/);
    expect(report.some((l) => /^ {2}@acme\/greet\s+[\d.]+ KB$/.test(l))).toBe(true);
  });

  it('names a missing package and the npm install to run', async () => {
    const err = await failure(
      write(
        'functions/missing.js',
        "const x = require('@acme/absent/deep/file');\nexports.main = x;\n",
      ),
    );
    expect(err.code).toBe('E_CLI_MISSING_PACKAGE');
    expect(err.message).toContain('imports "@acme/absent/deep/file"');
    expect(err.hint).toContain('npm install @acme/absent');
    expect(err.detail).toContain("require('@acme/absent/deep/file')");
  });

  it('still refuses Node built-ins, pointing at the line', async () => {
    const err = await failure(
      write('functions/fs.js', "const fs = require('fs');\nexports.main = fs;\n"),
    );
    expect(err.code).toBe('E_FUNCTION_BUILD');
    expect(err.message).toContain('Node built-in module "fs"');
  });
});

describe('packageOf', () => {
  it('is the package a bare import names', () => {
    expect(packageOf('dayjs')).toBe('dayjs');
    expect(packageOf('dayjs/plugin/utc')).toBe('dayjs');
    expect(packageOf('@scope/pkg')).toBe('@scope/pkg');
    expect(packageOf('@scope/pkg/sub/file.js')).toBe('@scope/pkg');
  });
});
