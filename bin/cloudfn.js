#!/usr/bin/env node
// The cloudfn CLI launcher. Plain JavaScript so that it can refuse an old Node clearly
// before any TypeScript (run natively by Node >= 24) is loaded.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(
    `cloudfn needs Node.js 24 or newer (this is ${process.version}). Run it through npm (npm start, npx cloudfn), which uses the Node 24 that npm ci installed.`,
  );
  process.exit(1);
}
await import('../engine/cli/main.ts');
