import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConsole, type ConsoleManifest } from '../../../console/build.js';

// The budget of issue 18: what the first page loads is at most 60 KB gzip; CodeMirror and
// uPlot come later, in chunks of their own.
const FIRST_PAGE_BUDGET = 60 * 1024;

describe('console bundle', () => {
  let outdir: string;
  let manifest: ConsoleManifest;
  beforeAll(async () => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-console-build-'));
    manifest = await buildConsole({ outdir });
  }, 120_000);
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  it('keeps the first page within 60 KB gzip', () => {
    const measured = manifest.firstPage.reduce(
      (sum, file) => sum + (manifest.gzip[file] ?? Number.NaN),
      0,
    );
    expect(measured).toBe(manifest.firstPageGzip);
    expect(manifest.firstPageGzip).toBeGreaterThan(1000);
    expect(manifest.firstPageGzip).toBeLessThanOrEqual(FIRST_PAGE_BUDGET);
  });

  it('loads CodeMirror and uPlot only in chunks the first page does not import', () => {
    const firstPageCode = manifest.firstPage
      .filter((f) => f.endsWith('.js'))
      .map((f) => fs.readFileSync(path.join(outdir, f), 'utf8'))
      .join('\n');
    expect(firstPageCode).not.toContain('cm-editor');
    expect(firstPageCode).not.toContain('u-legend');
    const later = manifest.files.filter(
      (f) => !manifest.firstPage.includes(f) && f.endsWith('.js'),
    );
    const laterCode = later.map((f) => fs.readFileSync(path.join(outdir, f), 'utf8')).join('\n');
    expect(laterCode).toContain('cm-editor');
    expect(laterCode).toContain('u-legend');
  });

  it('names assets by content hash and links them from index.html with the nonce placeholder', () => {
    for (const file of manifest.files)
      expect(file).toMatch(/^assets\/[\w.-]+-[A-Z0-9]{8}\.(js|css)$/);
    const html = fs.readFileSync(path.join(outdir, 'index.html'), 'utf8');
    expect(html).toContain(`src="/console/${manifest.main}" nonce="__CSP_NONCE__"`);
    expect(html).toContain(`href="/console/${manifest.css}" nonce="__CSP_NONCE__"`);
  });
});
