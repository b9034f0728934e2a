/**
 * What every web-client browser test sets up: Chromium (installed when
 * missing; without it the test fails with the reason, it never skips), the
 * built app, a real server (in-process, SQLite in a temp dir) serving it,
 * and one browser context per person, its page errors in the test output.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { startXinbox, type XinboxNode } from '@xinbox/server';
import { ChatPage } from './chat-page.js';
import { ensureChromium, launchChromium } from './chromium.js';
import { DIST_DIR, ensureWebBuild } from './web-build.js';

/** Screenshots for people to look at (not compared). */
export const ARTIFACTS = resolve(import.meta.dirname, '../../../../test-artifacts/web');
export const PASSWORD = 'correct-horse-battery';

type ServerSettings = Parameters<typeof startXinbox>[0];

export interface WebHarness {
  readonly node: XinboxNode;
  readonly browser: Browser;
  /** A new browser context (a person) with the app open and `username` registered and logged in. */
  openUser(username: string, opts?: { viewport?: { width: number; height: number }; timeoutMs?: number }): Promise<{ user: ChatPage; context: BrowserContext }>;
  close(): Promise<void>;
}

export async function startWebHarness(tempPrefix: string, server: ServerSettings = {}): Promise<WebHarness> {
  const missing = ensureChromium();
  if (missing) throw new Error(missing);
  ensureWebBuild();
  mkdirSync(ARTIFACTS, { recursive: true });
  const dataDir = mkdtempSync(join(tmpdir(), tempPrefix));
  const contexts: BrowserContext[] = [];
  let node: XinboxNode | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await node?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    node = await startXinbox({
      host: '127.0.0.1', port: 0, tcpPort: -1, dataDir, storage: 'sqlite', logLevel: 'error', scryptCost: 10, webRoot: DIST_DIR, ...server,
    });
    browser = await launchChromium();
  } catch (e) {
    await close();
    throw e;
  }
  const started = { node, browser };
  return {
    ...started,
    close,
    async openUser(username, { viewport = { width: 960, height: 540 }, timeoutMs = 15_000 } = {}) {
      const context = await started.browser.newContext({ viewport, colorScheme: 'light' });
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(timeoutMs);
      // Browser-side failures show up in the test output, not only as a timeout.
      page.on('pageerror', (err) => console.error(`[${username} page error]`, err.message));
      page.on('console', (msg) => {
        // Failed WebSocket attempts while offline are expected; anything else is worth seeing.
        if (msg.type() === 'error' && !msg.text().startsWith('WebSocket connection to')) console.error(`[${username} console]`, msg.text());
      });
      const user = new ChatPage(page, username);
      await user.register(started.node.httpUrl, PASSWORD);
      return { user, context };
    },
  };
}
