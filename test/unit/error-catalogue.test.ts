import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/fixtures.ts';

// Every E_… code the engine or the runtime can produce has a row in docs/errors.md
// (CONVENTIONS: one catalogue, each code with its cause and fix).
function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

describe('docs/errors.md', () => {
  it('lists every error code used in engine/ and runtime/', () => {
    const codes = new Set<string>();
    for (const file of [
      ...sourceFiles(path.join(repoRoot, 'engine')),
      ...sourceFiles(path.join(repoRoot, 'runtime')),
    ]) {
      for (const match of fs.readFileSync(file, 'utf8').matchAll(/['"`](E_[A-Z0-9_]+)['"`]/g))
        codes.add(match[1]!);
    }
    const catalogue = fs.readFileSync(path.join(repoRoot, 'docs/errors.md'), 'utf8');
    const documented = new Set(
      [...catalogue.matchAll(/^\|\s*`(E_[A-Z0-9_]+)`\s*\|/gm)].map((m) => m[1]!),
    );
    expect(codes.size).toBeGreaterThan(50);
    expect([...codes].filter((code) => !documented.has(code)).sort()).toEqual([]);
  });
});
