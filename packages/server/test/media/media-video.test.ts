/**
 * Video and voice: duration, dimensions and poster through ffprobe/ffmpeg
 * (installed from Debian when missing), and notify-pull: the recipient's SDK
 * pre-fetches the first bytes of a video as soon as its message arrives.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mediaContent, type XinboxClient } from '@xinbox/sdk';
import type { Message } from '@xinbox/protocol';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureFfmpeg, makeTestVideo } from '../support/ffmpeg.js';
import { startTestNode } from '../support/server.js';
import { tempDir } from '../support/temp-dir.js';
import { waitFor } from '../support/wait-for.js';
import { get, sha256, user } from './media-support.js';

// Tests never skip: without ffmpeg (installed from Debian when missing) this file fails, with the reason.
const missing = ensureFfmpeg();
if (missing) throw new Error(missing);

describe('video and voice messages', () => {
  let node: Awaited<ReturnType<typeof startTestNode>>;
  let alice: XinboxClient;
  let bob: XinboxClient;
  let conv: string;
  const dir = tempDir();

  beforeAll(async () => {
    node = await startTestNode();
    alice = await user(node, 'valice');
    bob = await user(node, 'vbob', { prefetchVideoBytes: 4096 });
    conv = (await alice.openDirect({ userId: bob.userId! })).conversationId;
  });
  afterAll(async () => {
    await alice?.close();
    await bob?.close();
    await node?.cleanup();
    dir.remove();
  });

  it('measures a video, makes a poster, and the recipient pre-fetches its first bytes on arrival', async () => {
    const path = join(dir.path, 'clip.mp4');
    makeTestVideo(path, 3, '320x240');
    const bytes = readFileSync(path);
    const ref = await alice.upload(bytes, { name: 'clip.mp4' });
    expect(ref).toMatchObject({ kind: 'video', mimeType: 'video/mp4', width: 320, height: 240, sha256: sha256(bytes) });
    expect(ref.durationMs).toBeGreaterThan(2_800);
    expect(ref.durationMs).toBeLessThan(3_300);
    expect(ref.variants).toEqual(['poster']);
    const poster = await get(ref.urls.poster!);
    expect(poster.headers.get('content-type')).toBe('image/jpeg');
    expect(await sharp(poster.body).metadata()).toMatchObject({ width: 320, height: 240 });

    const seen: Message[] = [];
    bob.on('message', (m) => seen.push(m));
    await alice.send(conv, mediaContent(ref));
    const m = await waitFor('the video message', () => seen.find((x) => x.content?.kind.case === 'video'));
    const v = m.content!.kind.value as { mediaId: string; durationMs: number; placeholder: Uint8Array };
    expect(v.durationMs).toBe(ref.durationMs);
    expect(v.placeholder.length).toBeGreaterThan(0);
    const pre = await waitFor('the prefetch', async () => (await bob.prefetchedMedia(v.mediaId)) ?? undefined);
    expect(pre.head.length).toBe(4096);
    expect(Buffer.from(pre.head).equals(bytes.subarray(0, 4096))).toBe(true);
  });

  it('takes a recorded voice clip (audio-only WebM) as audio with its duration', async () => {
    const path = join(dir.path, 'voice.webm');
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=300:duration=2', '-c:a', 'libopus', '-y', path], { stdio: 'ignore' });
    const ref = await alice.upload(readFileSync(path), { name: 'voice.webm' });
    expect(ref.kind).toBe('audio');
    expect(ref.durationMs).toBeGreaterThan(1_800);
    expect(ref.durationMs).toBeLessThan(2_300);
    const ack = await alice.send(conv, mediaContent(ref, 'audio'));
    expect(ack.seq).toBeGreaterThan(0);
  });
});
