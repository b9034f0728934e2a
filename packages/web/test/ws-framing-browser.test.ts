/**
 * Chromium's own WebSocket against the gateway on the binary subprotocol:
 * messages of every length form, close codes both ways (the browser's, the
 * server's 4007 with its reason, 1009 for an oversized message). A real
 * browser, a real node on SQLite.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startXinbox, type XinboxNode } from '@xinbox/server';
import { CloseCodes, SUBPROTOCOL_PROTO, decodeFrame, encodeFrame, splitFrames, withLengthPrefix } from '@xinbox/protocol';
import { ensureChromium, launchChromium } from './support/chromium.js';

const MAX_FRAME = 64 * 1024;
const dataDir = mkdtempSync(join(tmpdir(), 'xinbox-ws-framing-'));
let node: XinboxNode;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  const missing = ensureChromium();
  if (missing) throw new Error(missing);
  node = await startXinbox({ host: '127.0.0.1', port: 0, tcpPort: -1, dataDir, storage: 'sqlite', logLevel: 'error', scryptCost: 4, maxFrameBytes: MAX_FRAME });
  browser = await launchChromium();
  page = await browser.newPage();
}, 10 * 60_000);

afterAll(async () => {
  await browser?.close();
  await node?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Outcome {
  /** Every binary message received, as bytes. */
  messages: number[][];
  protocol: string;
  code: number;
  reason: string;
  wasClean: boolean;
}

/**
 * In the page: open a WebSocket, send `sends` (binary), wait for `expect`
 * messages, then close with `closeWith` (or wait for the server to close).
 */
function session(sends: number[][], expectMessages: number, closeWith?: { code: number; reason: string }): Promise<Outcome> {
  return page.evaluate(
    ({ url, protocol, sends, expectMessages, closeWith }) =>
      new Promise<Outcome>((resolve, reject) => {
        const ws = new WebSocket(url, protocol);
        ws.binaryType = 'arraybuffer';
        const messages: number[][] = [];
        const timer = setTimeout(() => reject(new Error(`timeout, ${messages.length} messages`)), 15_000);
        ws.onopen = () => {
          for (const s of sends) ws.send(new Uint8Array(s));
        };
        ws.onmessage = (e) => {
          messages.push(Array.from(new Uint8Array(e.data as ArrayBuffer)));
          if (closeWith && messages.length === expectMessages) ws.close(closeWith.code, closeWith.reason);
        };
        ws.onclose = (e) => {
          clearTimeout(timer);
          resolve({ messages, protocol: ws.protocol, code: e.code, reason: e.reason, wasClean: e.wasClean });
        };
      }),
    { url: node.wsUrl, protocol: SUBPROTOCOL_PROTO, sends, expectMessages, closeWith },
  );
}

const ping = (id: number): Uint8Array => withLengthPrefix(encodeFrame({ id, body: { case: 'ping', value: {} } }));
const join2 = (parts: Uint8Array[]): number[] => parts.flatMap((p) => Array.from(p));
const pongIds = (o: Outcome): number[] =>
  o.messages.flatMap((m) => splitFrames(Uint8Array.from(m), 1 << 24).map((b) => decodeFrame(b))).filter((f) => f.body.case === 'pong').map((f) => f.id);

describe('Chromium WebSocket against the gateway', () => {
  it('round-trips messages of 7-bit, 16-bit and 64-bit lengths and closes cleanly with its code', async () => {
    const small = join2([ping(1)]);
    // ~1 KB and ~90 KB messages of many pings (16-bit and 64-bit length forms).
    const mid = join2(Array.from({ length: 150 }, (_, i) => ping(100 + i)));
    const big = join2(Array.from({ length: 12_000 }, (_, i) => ping(1000 + i)));
    expect(big.length).toBeGreaterThan(65_535);
    const expected = 1 + 150 + 12_000;
    // The server answers in as few messages as it likes: count pongs, then close from the browser.
    const res = await sessionUntilPongs([small, mid, big], expected, { code: 4000, reason: 'bye 再见' });
    expect(res.protocol).toBe(SUBPROTOCOL_PROTO);
    expect(pongIds(res)).toEqual([1, ...Array.from({ length: 150 }, (_, i) => 100 + i), ...Array.from({ length: 12_000 }, (_, i) => 1000 + i)]);
    // The gateway frames its binary messages itself (one pre-framed write): Chromium reads its 64-bit length form.
    expect(Math.max(...res.messages.map((m) => m.length))).toBeGreaterThan(65_535);
    expect(res.wasClean).toBe(true);
    expect(res.code).toBe(4000);
  });

  it('reads the server\'s 16-bit length form (a reply of 150 pongs)', async () => {
    const mid = join2(Array.from({ length: 150 }, (_, i) => ping(100 + i)));
    const res = await sessionUntilPongs([mid], 150, { code: 4000, reason: 'bye' });
    expect(pongIds(res)).toEqual(Array.from({ length: 150 }, (_, i) => 100 + i));
    expect(res.messages.some((m) => m.length > 125 && m.length < 65_536)).toBe(true);
  });

  it('sees the server close 4007 with its reason when one frame is above maxFrameBytes', async () => {
    const big = new Uint8Array(4 + MAX_FRAME + 1);
    new DataView(big.buffer).setUint32(0, MAX_FRAME + 1);
    const res = await session([Array.from(big)], 0);
    expect(res.code).toBe(CloseCodes.FRAME_TOO_LARGE.code);
    expect(res.reason).toBe(CloseCodes.FRAME_TOO_LARGE.description);
    expect(res.wasClean).toBe(true);
  });

  it('sees 1009 when a message is above the WebSocket limit', async () => {
    const res = await session([Array.from(new Uint8Array(MAX_FRAME * 4 + 1))], 0);
    expect(res.code).toBe(1009);
  });
});

/** Like session(), but waits for `pongs` pongs in total (however the server batched them) before closing. */
function sessionUntilPongs(sends: number[][], pongs: number, closeWith: { code: number; reason: string }): Promise<Outcome> {
  return page.evaluate(
    ({ url, protocol, sends, pongs, closeWith }) =>
      new Promise<Outcome>((resolve, reject) => {
        const ws = new WebSocket(url, protocol);
        ws.binaryType = 'arraybuffer';
        const messages: number[][] = [];
        let seen = 0;
        const timer = setTimeout(() => reject(new Error(`timeout, ${seen} pongs`)), 15_000);
        ws.onopen = () => {
          for (const s of sends) ws.send(new Uint8Array(s));
        };
        ws.onmessage = (e) => {
          const bytes = new Uint8Array(e.data as ArrayBuffer);
          messages.push(Array.from(bytes));
          const view = new DataView(bytes.buffer);
          for (let at = 0; at + 4 <= bytes.length; at += 4 + view.getUint32(at)) seen++;
          if (seen === pongs) ws.close(closeWith.code, closeWith.reason);
        };
        ws.onclose = (e) => {
          clearTimeout(timer);
          resolve({ messages, protocol: ws.protocol, code: e.code, reason: e.reason, wasClean: e.wasClean });
        };
      }),
    { url: node.wsUrl, protocol: SUBPROTOCOL_PROTO, sends, pongs, closeWith },
  );
}
