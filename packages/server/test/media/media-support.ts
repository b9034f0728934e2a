import { createHash, randomBytes } from 'node:crypto';
import { MemoryCursorStore, XinboxClient } from '@xinbox/sdk';
import sharp from 'sharp';
import type { XinboxNode } from '../../src/index.js';

export const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

let counter = 0;

/** A registered, logged-in, connected SDK client on its own device. */
export async function user(node: XinboxNode, prefix: string, extra: { prefetchVideoBytes?: number } = {}): Promise<XinboxClient> {
  counter += 1;
  const name = `${prefix}${counter}${Date.now().toString(36)}`;
  const c = new XinboxClient({ baseUrl: node.httpUrl, deviceId: `${name}-dev`, platform: 'web', cursorStore: new MemoryCursorStore(), ...extra });
  await c.register(name, 'a long password');
  await c.login(name, 'a long password');
  await c.connect();
  return c;
}

/** A JPEG whose left half is red and right half blue, stored `width`×`height` with the given EXIF orientation. */
export async function orientedJpeg(width: number, height: number, orientation: number): Promise<Buffer> {
  const half = Math.floor(width / 2);
  const red = await sharp({ create: { width: half, height, channels: 3, background: { r: 255, g: 0, b: 0 } } }).png().toBuffer();
  return sharp({ create: { width, height, channels: 3, background: { r: 0, g: 0, b: 255 } } })
    .composite([{ input: red, left: 0, top: 0 }])
    .jpeg({ quality: 90 })
    .withMetadata({ orientation })
    .toBuffer();
}

/** A PNG of noise (incompressible, so its size is about width*height*3). */
export async function noisePng(width: number, height: number): Promise<Buffer> {
  const raw = randomBytes(width * height * 3);
  return sharp(raw, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

/** GET with optional headers; returns status, headers and body bytes. */
export async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: Buffer; json: () => { error: { code: number; name: string } } }> {
  const res = await fetch(url, { headers });
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, body, json: () => JSON.parse(body.toString('utf8')) as { error: { code: number; name: string } } };
}
