import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleFunction } from '../../../runtime/index.ts';
import { guardConstAssignments } from '../../../runtime/bundle/const-assignments.ts';

describe('assignments to a const (Node throws only when one runs)', () => {
  it('rewrites each reported target into a throwing call and keeps line numbers', () => {
    const text = 'const a = 1;\nconst é = 2; if (x) { a = 3; é += 1; }\n';
    const out = guardConstAssignments(text, [
      { name: 'a', line: 2, column: Buffer.byteLength('const é = 2; if (x) { ') },
      { name: 'é', line: 2, column: Buffer.byteLength('const é = 2; if (x) { a = 3; ') },
    ])!;
    const lines = out.split('\n');
    expect(lines[0]).toBe('const a = 1;');
    expect(lines[1]).toBe(
      'const é = 2; if (x) { __cloudfnAssignToConstant("a").value = 3; __cloudfnAssignToConstant("é").value += 1; }',
    );
    expect(out).toContain('function __cloudfnAssignToConstant(name) { throw new TypeError(');
  });

  it('gives up when a site does not hold the name', () => {
    expect(guardConstAssignments('const a = 1;\n', [{ name: 'b', line: 1, column: 6 }])).toBe(
      undefined,
    );
  });

  it('deploys a source whose const assignment never runs; other errors still refuse it', async () => {
    const ok = await bundleFunction({
      source:
        'const prize = 1;\nexports.main = async (e) => { if (e.never) prize = 2; return prize; };\n',
      filename: 'lottery.js',
    });
    expect(ok.code).toContain('__cloudfnAssignToConstant("prize").value = 2');
    await expect(
      bundleFunction({ source: 'const a = 1; a = 2; let let = 3;', filename: 'bad.js' }),
    ).rejects.toThrow(/bad\.js:1/);
  });

  it('deploys a folder whose imported file assigns to a const', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-const-'));
    try {
      fs.writeFileSync(
        path.join(dir, 'index.js'),
        "const { pick } = require('./pick.js');\nexports.main = async () => pick();\n",
      );
      fs.writeFileSync(
        path.join(dir, 'pick.js'),
        'const chosen = 7;\nexports.pick = () => { if (false) { chosen = 8; } return chosen; };\n',
      );
      const out = await bundleFunction({ entry: dir });
      expect(out.code).toContain('__cloudfnAssignToConstant("chosen").value = 8');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
