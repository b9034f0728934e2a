/**
 * Media in the web client, in real Chromium against a real server: Alice
 * pastes a picture into the composer, it uploads over the media channel, and
 * Bob sees the thumbnail in the chat and opens the full picture; a file
 * attached with the 📎 button arrives as a card with a download link.
 */
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatPage } from './support/chat-page.js';
import { ARTIFACTS, startWebHarness, type WebHarness } from './support/web-harness.js';

const WAIT = { timeout: 20_000, interval: 100 };

let web: WebHarness;

beforeAll(async () => {
  web = await startWebHarness('xinbox-web-media-');
}, 10 * 60_000);

afterAll(async () => {
  await web?.close();
});

async function openUser(username: string): Promise<ChatPage> {
  return (await web.openUser(username, { viewport: { width: 960, height: 640 }, timeoutMs: 20_000 })).user;
}

describe('media in the web client', () => {
  it('one user pastes a picture, the other sees the thumbnail and opens the full picture; files arrive as cards', async () => {
    const alice = await openUser('mia');
    const bob = await openUser('ben');
    await alice.startChat('ben');
    await alice.send('look at this');
    await bob.openConversation('mia');

    // An 800×600 picture with a red left half, pasted as a file from the clipboard.
    const red = await sharp({ create: { width: 400, height: 600, channels: 3, background: { r: 230, g: 20, b: 20 } } }).png().toBuffer();
    const png = await sharp({ create: { width: 800, height: 600, channels: 3, background: { r: 20, g: 20, b: 230 } } })
      .composite([{ input: red, left: 0, top: 0 }]).png().toBuffer();
    await alice.page.evaluate((b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const data = new DataTransfer();
      data.items.add(new File([bytes], 'screenshot.png', { type: 'image/png' }));
      const target = document.querySelector('[data-testid="composer"]')!;
      target.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    }, png.toString('base64'));

    // Bob's chat shows the thumbnail (640 wide: the largest below the picture) in a box of the picture's shape.
    const thumb = bob.page.getByTestId('media-thumb');
    await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), WAIT).toBe(640);
    expect(await thumb.evaluate((img: HTMLImageElement) => img.naturalHeight)).toBe(480);
    const box = await bob.page.getByTestId('media-image').boundingBox();
    expect(Math.round((box!.width / box!.height) * 100)).toBe(133);
    await expect.poll(() => alice.page.getByTestId('media-thumb').count(), WAIT).toBe(1);
    expect(await alice.page.getByTestId('upload').count()).toBe(0);
    await bob.page.screenshot({ path: join(ARTIFACTS, 'media-thumbnail.png') });

    // Clicking opens the lightbox with the original, full size.
    await bob.page.getByTestId('media-image').click();
    const full = bob.page.getByTestId('lightbox-image');
    await expect.poll(() => full.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), WAIT).toBe(800);
    expect(await full.evaluate((img: HTMLImageElement) => img.naturalHeight)).toBe(600);
    await bob.page.screenshot({ path: join(ARTIFACTS, 'media-lightbox.png') });
    await bob.page.keyboard.press('Escape');
    await expect.poll(() => bob.page.getByTestId('lightbox').count(), WAIT).toBe(0);

    // A file picked with the attach button arrives as a card with its name, size and a download link.
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n');
    await alice.page.getByTestId('file-input').setInputFiles({ name: 'notes.pdf', mimeType: 'application/pdf', buffer: pdf });
    const card = bob.page.getByTestId('media-file');
    await expect.poll(() => card.textContent(), WAIT).toContain('notes.pdf');
    const href = await bob.page.getByTestId('media-download').getAttribute('href');
    const res = await fetch(new URL(href!, web.node.httpUrl));
    expect(Buffer.from(await res.arrayBuffer()).equals(pdf)).toBe(true);
  });
});
