import fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/**
 * Debian's Chromium, driven by playwright-core (no browser download). Without it the suite
 * skips with a notice, unless CLOUDFN_REQUIRE_BROWSER=1 (CI), where a missing browser fails.
 */
export function browserAvailable(): boolean {
  if (fs.existsSync(CHROMIUM)) return true;
  if (process.env.CLOUDFN_REQUIRE_BROWSER === '1')
    throw new Error(
      `CLOUDFN_REQUIRE_BROWSER=1 but ${CHROMIUM} is missing (apt-get install chromium)`,
    );
  console.warn(
    `NOTICE: ${CHROMIUM} not found; the console's browser tests are skipped (apt-get install chromium fonts-wqy-microhei, or set CLOUDFN_REQUIRE_BROWSER=1 to fail instead).`,
  );
  return false;
}

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/**
 * Collects what must fail the run: console errors, uncaught page errors and CSP violations
 * (reported from the page through an init script, which CSP does not govern). `expected`
 * lists the failed-request messages a test provokes on purpose.
 */
export function watchProblems(page: Page, expected: RegExp[] = []): string[] {
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const text = `console error: ${msg.text()} (${msg.location().url})`;
    // A refusal the test provokes on purpose makes Chromium log the failed request.
    if (!expected.some((re) => re.test(text))) problems.push(text);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  // A string, not a function: it runs in the page, where this file's (Node) types do not apply.
  void page.addInitScript({
    content: `document.addEventListener('securitypolicyviolation', (e) => {
      console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI + ' at ' + e.sourceFile + ':' + e.lineNumber + ':' + e.columnNumber + ' ' + e.sample);
    });`,
  });
  return problems;
}
