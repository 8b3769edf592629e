import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUES, ERROR_STATUS } from '../../engine/error-catalogue.ts';
import { RUNTIME_CODES } from '../../runtime/errors.ts';
import { repoRoot } from '../helpers/fixtures.ts';

// docs/errors.md against the code: every catalogued code (engine/error-catalogue.ts: what an
// EngineError may carry, with its status) and every other E_… code the engine or the runtime
// can produce has a row, and a row's status is the catalogue's (CONVENTIONS: one catalogue,
// each code with its cause and fix).
function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** code → the status cell of its row in docs/errors.md. */
function documentedRows(): Map<string, string> {
  const text = fs.readFileSync(path.join(repoRoot, 'docs/errors.md'), 'utf8');
  return new Map(
    [...text.matchAll(/^\|\s*`(E_[A-Z0-9_]+)`\s*\|\s*([^|]*?)\s*\|/gm)].map((m) => [m[1]!, m[2]!]),
  );
}

describe('docs/errors.md', () => {
  const rows = documentedRows();

  it('has a row for every catalogued code, with the status the catalogue answers', () => {
    const catalogued = Object.entries(ERROR_STATUS);
    expect(catalogued.length).toBeGreaterThan(80);
    expect(catalogued.filter(([code]) => !rows.has(code)).map(([code]) => code)).toEqual([]);
    // Rows of codes that never reach HTTP say so ("—", "inside a function (…)"); a row that
    // names a bare status must name the catalogue's.
    const wrong = catalogued.filter(([code, status]) => {
      const cell = rows.get(code)!;
      return /^\d{3}$/.test(cell) && Number(cell) !== status;
    });
    expect(wrong).toEqual([]);
  });

  it('catalogues each code once', () => {
    const all = Object.values(ERROR_CATALOGUES).flatMap((catalogue) => Object.keys(catalogue));
    expect(all.length).toBe(new Set(all).size);
  });

  it('has a row for every run-time failure code and every code used in engine/ and runtime/', () => {
    const codes = new Set<string>(Object.values(RUNTIME_CODES));
    for (const file of [
      ...sourceFiles(path.join(repoRoot, 'engine')),
      ...sourceFiles(path.join(repoRoot, 'runtime')),
    ]) {
      for (const match of fs.readFileSync(file, 'utf8').matchAll(/['"`](E_[A-Z0-9_]+)['"`]/g))
        codes.add(match[1]!);
    }
    expect(codes.size).toBeGreaterThan(50);
    expect([...codes].filter((code) => !rows.has(code)).sort()).toEqual([]);
  });
});
