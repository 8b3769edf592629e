// Build step run by `npm install` (postinstall) and `npm run build`: bundles the guest SDK
// (runtime/guest/**) into dist/guest/prelude.js so that starting the engine builds nothing.
// Runs under the Node that runs npm (possibly 20), so it stays plain JavaScript.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PRELUDE_OUT, preludeBuildOptions } from '../runtime/guest-build.js';

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
}
