// Build step run by `npm install` (postinstall) and `npm run build`: bundles the guest SDK
// (runtime/guest/**) into dist/guest/prelude.js and the web console (console/src) into
// dist/console, so that starting the engine builds nothing.
// Runs under the Node that runs npm (possibly 20), so it stays plain JavaScript.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PRELUDE_OUT, preludeBuildOptions } from '../runtime/guest-build.js';
import { CONSOLE_OUT, buildConsole } from '../console/build.js';

const esbuild = await import('esbuild').catch(() => undefined);
if (esbuild === undefined) {
  // npm may run our postinstall before optional native parts settle; the executor rebuilds on demand.
  console.warn(
    'cloudfn build: esbuild is not installed yet; the guest prelude will be built on first use',
  );
} else {
  mkdirSync(dirname(PRELUDE_OUT), { recursive: true });
  await esbuild.build(preludeBuildOptions(true));
  console.log(`cloudfn build: wrote ${PRELUDE_OUT}`);
  const manifest = await buildConsole();
  const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
  const sizes = Object.entries(manifest.gzip)
    .map(([file, bytes]) => `${file} ${kb(bytes)}`)
    .join(', ');
  console.log(
    `cloudfn build: wrote ${CONSOLE_OUT} (gzip: first page ${kb(manifest.firstPageGzip)}; ${sizes})`,
  );
}
