// The runtime's rooms, checked from its import statements: the guest imports nothing outside
// runtime/guest/ (no Node, no packages, no engine), the runtime imports nothing of the engine,
// and the two processes' folders meet only in runtime/protocol.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const RUNTIME = join(ROOT, 'runtime');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.(ts|js)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Each import of `file`: its specifier and, for a relative one, the project path it names. */
function importsOf(file: string): { specifier: string; target: string | undefined }[] {
  const text = readFileSync(file, 'utf8');
  const found = text.matchAll(/(?:^|\n)\s*(?:import|export)[^'";]*?from\s*['"]([^'"]+)['"]/g);
  const dynamic = text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g);
  return [...found, ...dynamic].map(([, specifier]) => ({
    specifier: specifier as string,
    target: specifier!.startsWith('.')
      ? relative(ROOT, resolve(dirname(file), specifier as string))
      : undefined,
  }));
}

function violations(
  files: string[],
  allowed: (i: { specifier: string; target: string | undefined }) => boolean,
) {
  return files.flatMap((file) =>
    importsOf(file)
      .filter((i) => !allowed(i))
      .map((i) => `${relative(ROOT, file)} imports ${i.specifier}`),
  );
}

describe('runtime boundaries', () => {
  it('finds the imports it checks (the scanner itself works)', () => {
    const prelude = importsOf(join(RUNTIME, 'guest', 'prelude.ts'));
    expect(prelude.map((i) => i.target)).toContain('runtime/guest/isolate-entry.ts');
  });

  it('the guest imports only the guest', () => {
    const guest = sources(join(RUNTIME, 'guest'));
    expect(violations(guest, (i) => i.target?.startsWith('runtime/guest/') === true)).toEqual([]);
  });

  it('the runtime imports nothing of the engine', () => {
    expect(
      violations(
        sources(RUNTIME),
        (i) => i.target === undefined || !i.target.startsWith('engine/'),
      ),
    ).toEqual([]);
  });

  it('supervisor and executor meet only in protocol.ts', () => {
    const into = (folder: string) => (i: { target: string | undefined }) =>
      i.target === undefined || !i.target.startsWith(`runtime/${folder}/`);
    expect(violations(sources(join(RUNTIME, 'supervisor')), into('executor'))).toEqual([]);
    expect(violations(sources(join(RUNTIME, 'executor')), into('supervisor'))).toEqual([]);
  });
});
