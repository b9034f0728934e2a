/**
 * Debian's Chromium for the browser test. Playwright's own browser download
 * is not reachable from here, so the test drives /usr/bin/chromium, installing
 * it with scripts/ensure-chromium.sh when it is missing (needs root, as CI has).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';
const ENSURE_SCRIPT = resolve(import.meta.dirname, '../../../../scripts/ensure-chromium.sh');

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/**
 * Makes sure Chromium is installed. Returns undefined when it is, else why
 * not. In CI a missing browser is an error, never a silent skip.
 */
export function ensureChromium(): string | undefined {
  if (existsSync(CHROMIUM_PATH)) return undefined;
  const run = spawnSync('bash', [ENSURE_SCRIPT], { stdio: 'inherit', timeout: 10 * 60_000 });
  if (existsSync(CHROMIUM_PATH)) return undefined;
  const why = `Chromium is missing at ${CHROMIUM_PATH} and ${ENSURE_SCRIPT} did not install it (exit ${run.status ?? run.error?.message}); run the script as root`;
  if (process.env.CI === 'true') throw new Error(why);
  return why;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
}
