/**
 * Real Chromium for the browser tests: Debian's package through playwright-core (no browser
 * download). Without it the browser tests skip with the reason, except in CI where they must run.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';

export const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(executablePath);
if (!hasChromium) {
  const why = `Chromium not found at ${executablePath} (install Debian's chromium or set CHROMIUM_PATH)`;
  if (process.env.CI) throw new Error(`browser test cannot run in CI: ${why}`);
  console.warn(`[browser test] skipped: ${why}`);
}

/** Where screenshots are kept as test artifacts. */
export const RESULTS_DIR = join(process.cwd(), 'test-results');

/**
 * Headless Chromium as root on a closed network: no sandbox, and none of its background calls
 * home (they pile up when nothing answers). `extraArgs`: e.g. a fake camera.
 */
export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', ...extraArgs],
  });
}
