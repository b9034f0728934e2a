/**
 * The media channel end to end on a real node (SQLite on its storage thread,
 * the filesystem MediaStore) over real HTTP and WebSocket connections with
 * the SDK: upload → message → the peer downloads the same bytes; resume
 * after a dropped connection; access control and signed URLs; thumbnails;
 * Range/ETag; the collector; limits and quota; content sniffing.
 */
import { request } from 'node:http';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Errors, XinboxError } from '@xinbox/protocol';
import { mediaContent, type XinboxClient } from '@xinbox/sdk';
import type { Message } from '@xinbox/protocol';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestNode } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';
import { get, noisePng, orientedJpeg, sha256, user } from './media-support.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;

async function received(c: XinboxClient, conversationId: string, kind: string): Promise<Message> {
  const seen: Message[] = [];
  c.on('message', (m) => seen.push(m));
  return waitFor(`a ${kind} message`, () => seen.find((m) => m.conversationId === conversationId && m.content?.kind.case === kind));
}

function code(fn: Promise<unknown>): Promise<string> {
  return fn.then(() => 'resolved', (e: unknown) => (e instanceof XinboxError ? e.errorName : String(e)));
}

describe('media channel', () => {
  let node: Node;
  let alice: XinboxClient;
  let bob: XinboxClient;
  let carol: XinboxClient;
  let conv: string;

  beforeAll(async () => {
    node = await startTestNode({ mediaUrlTtlMs: 1_500, mediaUnreferencedTtlMs: 1_000, mediaCollectIntervalMs: 3_600_000, mediaMaxImageBytes: 2 * 1024 * 1024 });
    [alice, bob, carol] = await Promise.all([user(node, 'alice'), user(node, 'bob'), user(node, 'carol')]);
    conv = (await alice.openDirect({ userId: bob.userId! })).conversationId;
  });
  afterAll(async () => {
    await Promise.all([alice, bob, carol].map((c) => c?.close()));
    await node?.cleanup();
  });

  it('uploads an image, sends it, and the peer downloads identical bytes and sized thumbnails', async () => {
    const jpeg = await noisePng(600, 400);
    const progress: number[] = [];
    const ref = await alice.upload(jpeg, { name: 'holiday.png', chunkBytes: 64 * 1024, onProgress: (sent) => progress.push(sent) });
    expect(ref).toMatchObject({ kind: 'image', mimeType: 'image/png', size: jpeg.length, width: 600, height: 400, sha256: sha256(jpeg), name: 'holiday.png' });
    // No thumbnail is larger than the picture itself.
    expect(ref.variants).toEqual(['thumb160', 'thumb320']);
    expect(progress.at(-1)).toBe(jpeg.length);
    expect(progress.length).toBeGreaterThan(5);

    const incoming = received(bob, conv, 'image');
    await alice.send(conv, mediaContent(ref));
    const m = await incoming;
    const media = m.content!.kind.value as { mediaId: string; size: number; width: number; height: number; sha256: string; placeholder: Uint8Array; variants: string[] };
    // The server's measurements travel in the message, including a tiny placeholder.
    expect(media).toMatchObject({ mediaId: ref.mediaId, size: jpeg.length, width: 600, height: 400, sha256: sha256(jpeg) });
    expect(media.placeholder.length).toBeGreaterThan(10);
    expect(media.placeholder.length).toBeLessThan(64);

    const seen = await bob.describeMedia(media.mediaId);
    const original = await get(seen.urls.original!);
    expect(original.status).toBe(200);
    expect(original.headers.get('content-type')).toBe('image/png');
    expect(sha256(original.body)).toBe(sha256(jpeg));
    expect(seen.urls.thumb640).toBeUndefined();
    for (const [variant, longest] of [['thumb160', 160], ['thumb320', 320]] as const) {
      const t = await get(seen.urls[variant]!);
      expect(t.headers.get('content-type')).toBe('image/webp');
      const meta = await sharp(t.body).metadata();
      expect([meta.width, meta.height]).toEqual([longest, Math.round((longest * 400) / 600)]);
    }
  });

  it('applies EXIF orientation to thumbnails and dimensions, and strips metadata', async () => {
    // Stored 400×200 (red left, blue right) with orientation 6: shown rotated 90° clockwise, 200×400, red on top.
    const jpeg = await orientedJpeg(400, 200, 6);
    const ref = await alice.upload(jpeg, { name: 'portrait.jpg' });
    expect([ref.width, ref.height]).toEqual([200, 400]);
    const t = await get(ref.urls.thumb160!);
    const meta = await sharp(t.body).metadata();
    expect([meta.width, meta.height]).toEqual([80, 160]);
    expect(meta.orientation).toBeUndefined();
    expect(meta.exif).toBeUndefined();
    const { data, info } = await sharp(t.body).raw().toBuffer({ resolveWithObject: true });
    const px = (x: number, y: number) => [...data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3)];
    const [topR, , topB] = px(40, 20);
    const [botR, , botB] = px(40, 140);
    expect(topR).toBeGreaterThan(200);
    expect(topB).toBeLessThan(60);
    expect(botB).toBeGreaterThan(200);
    expect(botR).toBeLessThan(60);
  });

  it('resumes an upload after the connection drops mid-chunk, without re-sending what arrived', async () => {
    const data = randomBytes(3 * 1024 * 1024);
    let sent = 0;
    let dropped = false;
    // A fetch that breaks the second chunk off half-way through, as a dropped connection would.
    const flaky: typeof fetch = async (input, init) => {
      const body = init?.body as Uint8Array | undefined;
      if (init?.method === 'PATCH' && body) {
        if (!dropped && sent > 0) {
          dropped = true;
          await rawPatchThenDrop(String(input), init, body.subarray(0, body.length >> 1));
          sent += body.length >> 1;
          throw new TypeError('fetch failed: socket hang up');
        }
        sent += body.length;
      }
      return fetch(input, init);
    };
    const { MediaApi } = await import('@xinbox/sdk');
    const api = new MediaApi(node.httpUrl, flaky, { token: () => alice.session!.accessToken, refresh: () => alice.refresh() });
    const ref = await api.upload(data, { chunkBytes: 1024 * 1024, name: 'blob.bin' });
    expect(dropped).toBe(true);
    expect(ref.sha256).toBe(sha256(data));
    expect(ref.kind).toBe('file');
    expect(ref.mimeType).toBe('application/octet-stream');
    // Every byte crossed the wire exactly once.
    expect(sent).toBe(data.length);
    expect(sha256((await get(ref.urls.original!)).body)).toBe(sha256(data));
  });

  it('refuses non-members with MEDIA_ACCESS_DENIED (403), also as an attachment in their own conversation', async () => {
    const ref = await alice.upload(await orientedJpeg(64, 64, 1), { name: 'private.jpg' });
    await alice.send(conv, mediaContent(ref));
    await waitFor('bob may see it', () => bob.describeMedia(ref.mediaId).then(() => true, () => false));
    expect(await code(carol.describeMedia(ref.mediaId))).toBe('MEDIA_ACCESS_DENIED');
    const res = await fetch(`${node.httpUrl}/v1/media/${ref.mediaId}`, { headers: { authorization: `Bearer ${carol.session!.accessToken}` } });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: number } }).error.code).toBe(Errors.MEDIA_ACCESS_DENIED.code);
    const carolConv = (await carol.openDirect({ userId: alice.userId! })).conversationId;
    expect(await code(carol.send(carolConv, mediaContent(ref)))).toBe('MEDIA_ACCESS_DENIED');
    expect(await code(carol.describeMedia('AAAAAAAAAAAAAAAAAAAAAA'))).toBe('MEDIA_NOT_FOUND');
  });

  it('refuses an expired or tampered signed URL with catalogued codes', async () => {
    const ref = await alice.upload(randomBytes(1000), { name: 'x.bin' });
    const tampered = ref.urls.original!.replace(/sig=./, (s) => (s.endsWith('A') ? 'sig=B' : 'sig=A'));
    const bad = await get(tampered);
    expect(bad.status).toBe(403);
    expect(bad.json().error.name).toBe('MEDIA_URL_INVALID');
    expect((await get(ref.urls.original!)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1_600));
    const late = await get(ref.urls.original!);
    expect(late.status).toBe(403);
    expect(late.json().error.code).toBe(Errors.MEDIA_URL_EXPIRED.code);
  });

  it('serves byte ranges, ETag revalidation and caching headers', async () => {
    const data = randomBytes(100_000);
    const ref = await alice.upload(data);
    const url = ref.urls.original!;
    const first = await get(url, { range: 'bytes=0-99' });
    expect(first.status).toBe(206);
    expect(first.headers.get('content-range')).toBe(`bytes 0-99/${data.length}`);
    expect(first.body.equals(data.subarray(0, 100))).toBe(true);
    const middle = await get(url, { range: 'bytes=65530-70000' });
    expect(middle.body.equals(data.subarray(65_530, 70_001))).toBe(true);
    const open = await get(url, { range: 'bytes=99000-' });
    expect(open.body.equals(data.subarray(99_000))).toBe(true);
    const suffix = await get(url, { range: 'bytes=-500' });
    expect(suffix.body.equals(data.subarray(data.length - 500))).toBe(true);
    const outside = await get(url, { range: `bytes=${data.length}-` });
    expect(outside.status).toBe(416);
    expect(outside.headers.get('content-range')).toBe(`bytes */${data.length}`);
    const full = await get(url);
    expect(full.headers.get('accept-ranges')).toBe('bytes');
    expect(full.headers.get('cache-control')).toMatch(/^private, max-age=\d+, immutable$/);
    const etag = full.headers.get('etag')!;
    expect(etag).toBe(`"${ref.sha256.slice(0, 32)}"`);
    const again = await get(url, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  it('stores identical content once and collects what nobody sent after the TTL', async () => {
    const data = randomBytes(50_000);
    const kept = await alice.upload(data);
    const orphan = await bob.upload(data);
    expect(orphan.sha256).toBe(kept.sha256);
    expect(orphan.mediaId).not.toBe(kept.mediaId);
    const objects = () => readdirSync(join(node.dataDir, 'media', 'objects', kept.sha256.slice(0, 2))).filter((f) => f.startsWith(kept.sha256));
    expect(objects()).toEqual([kept.sha256]);
    const lonely = await bob.upload(randomBytes(20_000));
    await alice.send(conv, mediaContent(kept));
    await new Promise((r) => setTimeout(r, 1_100));
    const r = await node.media.collector.runOnce();
    expect(r.media).toBeGreaterThanOrEqual(2);
    expect(await code(bob.describeMedia(orphan.mediaId))).toBe('MEDIA_NOT_FOUND');
    expect(await code(bob.describeMedia(lonely.mediaId))).toBe('MEDIA_NOT_FOUND');
    // The shared bytes stay for the referenced item; the lonely upload's bytes are gone.
    expect(objects()).toEqual([kept.sha256]);
    expect(await node.media.store.stat(lonely.sha256)).toBeNull();
    expect(sha256((await get((await bob.describeMedia(kept.mediaId)).urls.original!)).body)).toBe(sha256(data));
  });

  it('sniffs the type from the bytes and enforces per-kind limits and message kinds', async () => {
    const png = await noisePng(64, 64);
    const ref = await alice.upload(png, { name: 'totally-a-pdf.pdf' });
    expect(ref).toMatchObject({ kind: 'image', mimeType: 'image/png' });
    const file = await alice.upload(Buffer.from('%PDF-1.4\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n'), { name: 'doc.pdf' });
    expect(file).toMatchObject({ kind: 'file', mimeType: 'application/pdf' });
    expect(await code(alice.send(conv, mediaContent(file, 'image')))).toBe('MEDIA_KIND_MISMATCH');
    await alice.send(conv, mediaContent(ref, 'file'));
    // Images are limited to 2 MiB on this node: a 3 MiB PNG is refused once its bytes show it is an image.
    const big = await noisePng(1100, 1000);
    expect(big.length).toBeGreaterThan(2 * 1024 * 1024);
    expect(await code(alice.upload(big))).toBe('MEDIA_TOO_LARGE');
  });

  it('refuses uploads past the quota before any byte is sent', async () => {
    const small = await startTestNode({ mediaQuotaBytes: 100_000 });
    const dave = await user(small, 'dave');
    try {
      await dave.upload(randomBytes(60_000));
      expect(await code(dave.upload(randomBytes(60_000)))).toBe('MEDIA_QUOTA_EXCEEDED');
      const res = await fetch(`${small.httpUrl}/v1/media/uploads`, {
        method: 'POST', headers: { authorization: `Bearer ${dave.session!.accessToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ size: 50_000 }),
      });
      expect(res.status).toBe(413);
      expect(((await res.json()) as { error: { code: number } }).error.code).toBe(Errors.MEDIA_QUOTA_EXCEEDED.code);
    } finally {
      await dave.close();
      await small.cleanup();
    }
  });

  it('refuses a chunk at the wrong offset with UPLOAD_OFFSET_MISMATCH and the current offset', async () => {
    const token = alice.session!.accessToken;
    const created = await (await fetch(`${node.httpUrl}/v1/media/uploads`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ size: 10 }),
    })).json() as { uploadId: string };
    const patch = (offset: number, body: string) => fetch(`${node.httpUrl}/v1/media/uploads/${created.uploadId}`, {
      method: 'PATCH', headers: { authorization: `Bearer ${token}`, 'upload-offset': String(offset) }, body,
    });
    expect((await patch(0, 'hello')).headers.get('upload-offset')).toBe('5');
    const wrong = await patch(0, 'hello');
    expect(wrong.status).toBe(409);
    expect(((await wrong.json()) as { error: { name: string } }).error.name).toBe('UPLOAD_OFFSET_MISMATCH');
    const head = await fetch(`${node.httpUrl}/v1/media/uploads/${created.uploadId}`, { method: 'HEAD', headers: { authorization: `Bearer ${token}` } });
    expect(head.headers.get('upload-offset')).toBe('5');
    const tooMuch = await patch(5, 'world!!');
    expect(tooMuch.status).toBe(413);
    const done = await patch(5, 'world');
    expect(done.status).toBe(201);
    const someoneElse = await fetch(`${node.httpUrl}/v1/media/uploads/${created.uploadId}`, { method: 'HEAD', headers: { authorization: `Bearer ${bob.session!.accessToken}` } });
    expect(someoneElse.status).toBe(404);
  });
});

/**
 * Sends the headers and `part` of a PATCH, then destroys the socket before the request ends; resolves once the
 * server has stored the part (its HEAD offset moved past it), however long a busy machine takes to get there.
 */
function rawPatchThenDrop(url: string, init: RequestInit, part: Uint8Array): Promise<void> {
  const headers: Record<string, string> = { ...(init.headers as Record<string, string>), 'content-length': String(part.length * 2) };
  const expected = Number(headers['upload-offset']) + part.length;
  return new Promise<void>((resolve) => {
    const req = request(url, { method: 'PATCH', headers });
    req.on('error', () => undefined);
    req.write(part, () => setTimeout(() => {
      req.destroy();
      resolve();
    }, 50));
  }).then(() => waitFor('the server stored the dropped part', async () => {
    const head = await fetch(url, { method: 'HEAD', headers: { authorization: headers.authorization! } });
    return Number(head.headers.get('upload-offset')) >= expected;
  }, 15_000, 50)).then(() => undefined);
}
