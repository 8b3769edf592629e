import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../helpers/fixtures.ts';

// README's compatibility claim is the sentence docs/mincloud.md stands behind, word for word.
describe("README's MinCloud claim", () => {
  it('is a sentence of docs/mincloud.md, word for word', () => {
    const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    const guide = fs.readFileSync(path.join(repoRoot, 'docs/mincloud.md'), 'utf8');
    const claim = readme.split('\n').find((line) => line.includes('run unchanged'));
    expect(claim).toBeDefined();
    expect(readme.split('\n').filter((line) => line.includes('unchanged'))).toEqual([claim]);
    expect(guide.split('\n')).toContain(claim);
  });
});
