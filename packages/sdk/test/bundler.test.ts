/**
 * @xinbox/sdk as a third party consumes it: through the package's exports
 * (dist/, never the "@xinbox/source" development condition).
 *
 * - esbuild bundles a tiny browser app that imports '@xinbox/sdk'; the
 *   bundle runs in real Chromium against a freshly started server and
 *   registers, logs in, connects, sends and receives.
 * - tsc type-checks a tiny TypeScript consumer against dist/*.d.ts with
 *   moduleResolution "bundler" and "node16".
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startXinbox, type XinboxNode } from '@xinbox/server';
import { ensureChromium, launchChromium } from '../../web/test/support/chromium.js';

const REPO = resolve(import.meta.dirname, '../../..');
const project = mkdtempSync(join(tmpdir(), 'xinbox-sdk-bundler-'));
symlinkSync(join(REPO, 'node_modules'), join(project, 'node_modules'));
writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));

/** The consumer: what a web developer writes after `npm install @xinbox/sdk`. */
const APP = `
import { MemoryCursorStore, XinboxClient } from '@xinbox/sdk';

const baseUrl = location.origin;
const tag = Math.random().toString(36).slice(2, 8);
const device = (id) => new XinboxClient({ baseUrl, deviceId: id, platform: 'web', cursorStore: new MemoryCursorStore() });
async function main() {
  const alice = device('alice-browser');
  const bob = device('bob-browser');
  for (const [client, name] of [[alice, 'alice_' + tag], [bob, 'bob_' + tag]]) {
    await client.register(name, 'a long password');
    await client.login(name, 'a long password');
    await client.connect();
  }
  const got = new Promise((resolve) => bob.on('message', resolve));
  const conv = await alice.openDirect({ username: 'bob_' + tag });
  const ack = await alice.send(conv.conversationId, '你好 from a bundle');
  const m = await got;
  const text = m.content.kind.case === 'text' ? m.content.kind.value.text : '';
  await alice.close();
  await bob.close();
  return { seq: ack.seq, received: text, sameSeq: m.seq === ack.seq, webSocket: typeof WebSocket };
}
window.xinboxResult = main().catch((e) => ({ error: String(e && e.stack || e) }));
`;

let node: XinboxNode | undefined;
let browser: Browser | undefined;
const dataDir = mkdtempSync(join(tmpdir(), 'xinbox-sdk-bundler-data-'));
// The server serves the consumer's page and bundle as its web root (its own origin, as an app on the same host would be).
const webRoot = mkdtempSync(join(tmpdir(), 'xinbox-sdk-bundler-web-'));

beforeAll(async () => {
  const missing = ensureChromium();
  if (missing) throw new Error(missing);
  node = await startXinbox({ host: '127.0.0.1', port: 0, tcpPort: -1, dataDir, storage: 'sqlite', logLevel: 'error', scryptCost: 4, webRoot });
  browser = await launchChromium();
}, 10 * 60_000);

afterAll(async () => {
  await browser?.close();
  await node?.stop();
  rmSync(project, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(webRoot, { recursive: true, force: true });
});

describe('@xinbox/sdk through a third-party bundler', () => {
  it('esbuild bundles it for the browser from dist/, and the bundle chats in Chromium', async () => {
    writeFileSync(join(project, 'app.js'), APP);
    const out = await build({
      entryPoints: [join(project, 'app.js')],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      write: false,
      metafile: true,
      absWorkingDir: project,
      logLevel: 'silent',
    });
    expect(out.errors).toEqual([]);
    // Resolved through package exports to the compiled files, not the TypeScript sources.
    const inputs = Object.keys(out.metafile.inputs).map((p) => relative(REPO, resolve(project, p)));
    expect(inputs).toContain('packages/sdk/dist/index.js');
    expect(inputs.some((p) => p.startsWith('packages/protocol/dist/'))).toBe(true);
    expect(inputs.filter((p) => /^packages\/[^/]+\/src\//.test(p))).toEqual([]);
    expect(inputs.filter((p) => p.includes('node_modules/ws/'))).toEqual([]); // the browser's WebSocket, not the ws package
    writeFileSync(join(webRoot, 'app.js'), out.outputFiles[0]!.text);
    writeFileSync(join(webRoot, 'index.html'), '<!doctype html><meta charset="utf-8"><title>consumer</title><script type="module" src="/app.js"></script>');

    // Loaded from the server, run in a real browser.
    const context = await browser!.newContext();
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => errors.push(`console.${m.type()}: ${m.text()}`));
      await page.goto(`${node!.httpUrl}/index.html`);
      await page.waitForFunction(() => 'xinboxResult' in window, undefined, { timeout: 10_000 });
      const result = await page.evaluate(() => (window as unknown as { xinboxResult: Promise<unknown> }).xinboxResult);
      expect(errors).toEqual([]);
      expect(result).toEqual({ seq: 1, received: '你好 from a bundle', sameSeq: true, webSocket: 'function' });
    } finally {
      await context.close();
    }
  }, 120_000);

  it.each([
    ['bundler', { module: 'esnext', moduleResolution: 'bundler' }],
    ['node16', { module: 'node16', moduleResolution: 'node16' }],
  ])('dist/*.d.ts type-check a TypeScript consumer (moduleResolution %s)', async (name, resolution) => {
    const dir = join(project, `types-${name}`);
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir);
    symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `consumer-${name}`, private: true, type: 'module' }));
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { ...resolution, target: 'es2022', lib: ['es2022', 'dom'], types: [], strict: true, noEmit: true, skipLibCheck: false },
      files: ['consumer.ts'],
    }));
    writeFileSync(join(dir, 'consumer.ts'), `
import { MemoryCursorStore, XinboxClient, type KickedEvent } from '@xinbox/sdk';

const client = new XinboxClient({ baseUrl: 'https://chat.example', deviceId: 'd1', platform: 'web', cursorStore: new MemoryCursorStore() });
client.on('kicked', (e: KickedEvent) => {
  const code: number = e.code;
  void code;
});
export async function hello(conversationId: string): Promise<number> {
  const ack = await client.send(conversationId, 'hi');
  return ack.seq;
}
// The declarations are real types, not any: a wrong option type is an error.
// @ts-expect-error baseUrl is a string
new XinboxClient({ baseUrl: 42, deviceId: 'd2', platform: 'web' });
`);
    const tsc = join(REPO, 'node_modules/typescript/bin/tsc');
    const r = await promisify(execFile)(process.execPath, [tsc, '-p', dir, '--traceResolution'], { cwd: dir, maxBuffer: 64 * 1024 * 1024 })
      .then(({ stdout }) => ({ code: 0, stdout }), (e: { code?: number; stdout?: string }) => ({ code: e.code ?? -1, stdout: e.stdout ?? '' }));
    const errors = r.stdout.split('\n').filter((l) => l.includes('error TS'));
    expect(errors).toEqual([]);
    expect(r.code).toBe(0);
    // '@xinbox/sdk' resolved to the shipped declarations.
    expect(r.stdout).toMatch(/Module name '@xinbox\/sdk' was successfully resolved to '[^']*\/packages\/sdk\/dist\/index\.d\.ts'/);
    expect(r.stdout).not.toMatch(/successfully resolved to '[^']*\/packages\/[^/]+\/src\//);
  }, 120_000);
});
