// @ts-check
/**
 * Builds the web console (console/src) into dist/console with the project's esbuild:
 * hashed file names, CodeMirror and uPlot in chunks loaded on demand, and a manifest the
 * engine serves from. Plain JavaScript on purpose: `npm install` runs it (scripts/build.js)
 * under whatever Node npm uses.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
export const CONSOLE_OUT = join(here, '..', 'dist', 'console');
/** The placeholder the engine replaces with each response's CSP nonce. */
export const NONCE_PLACEHOLDER = '__CSP_NONCE__';

/** @param {string} file */
const gzipBytes = (file) => gzipSync(readFileSync(file), { level: 9 }).length;

/**
 * @param {{ outdir?: string, minify?: boolean }} [options]
 * @returns {Promise<import('./build.d.ts').ConsoleManifest>}
 */
export async function buildConsole(options = {}) {
  const esbuild = await import('esbuild');
  const outdir = options.outdir ?? CONSOLE_OUT;
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const result = await esbuild.build({
    entryPoints: { main: join(here, 'src', 'main.tsx') },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outdir: join(outdir, 'assets'),
    entryNames: '[name]-[hash]',
    chunkNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    minify: options.minify ?? true,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    loader: { '.xml': 'text' },
    legalComments: 'linked',
    metafile: true,
    absWorkingDir: root,
    logLevel: 'silent',
  });
  const outputs = result.metafile.outputs;
  const rel = (/** @type {string} */ p) => relative(outdir, join(root, p));
  const mainKey = Object.keys(outputs).find(
    (k) => outputs[k]?.entryPoint !== undefined && k.endsWith('.js'),
  );
  if (!mainKey) throw new Error('console build: no entry output');
  const main = outputs[mainKey];
  const css = main?.cssBundle;
  // The first page is the HTML, the entry, its CSS and every chunk it imports statically.
  /** @type {Set<string>} */
  const firstPage = new Set([mainKey]);
  const walk = (/** @type {string} */ key) => {
    for (const imp of outputs[key]?.imports ?? []) {
      if (imp.kind === 'import-statement' && !firstPage.has(imp.path)) {
        firstPage.add(imp.path);
        walk(imp.path);
      }
    }
  };
  walk(mainKey);
  const html = readFileSync(join(here, 'index.html'), 'utf8')
    .replaceAll('%MAIN%', `/console/${rel(mainKey)}`)
    .replaceAll('%CSS%', css ? `/console/${rel(css)}` : '');
  writeFileSync(join(outdir, 'index.html'), html);

  /** @type {Record<string, number>} */
  const gzip = {};
  for (const key of Object.keys(outputs)) {
    if (key.endsWith('.map')) continue;
    gzip[rel(key)] = gzipBytes(join(root, key));
  }
  gzip['index.html'] = gzipBytes(join(outdir, 'index.html'));
  const firstPageFiles = ['index.html', ...[...firstPage].map(rel), ...(css ? [rel(css)] : [])];
  const manifest = {
    main: rel(mainKey),
    css: css ? rel(css) : null,
    files: Object.keys(gzip).filter((f) => f !== 'index.html'),
    gzip,
    firstPage: firstPageFiles,
    firstPageGzip: firstPageFiles.reduce((sum, f) => sum + (gzip[f] ?? 0), 0),
  };
  writeFileSync(join(outdir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return manifest;
}
