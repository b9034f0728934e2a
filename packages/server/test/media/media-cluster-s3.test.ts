/**
 * In a cluster any node serves any media: two nodes configured with
 * mediaStorage=s3 against one real S3-compatible server (s3rver) and a shared
 * catalog; an item uploaded through one node is downloaded through the other.
 */
import { randomBytes } from 'node:crypto';
import { mediaContent, MemoryCursorStore, XinboxClient } from '@xinbox/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterHarness } from '../support/cluster-harness.js';
import { startS3, type S3Service } from '../support/s3.js';
import { waitFor } from '../support/wait-for.js';
import { get, sha256 } from './media-support.js';

describe('media in a cluster on S3', () => {
  const cluster = new ClusterHarness();
  let s3: S3Service;

  beforeAll(async () => {
    s3 = await startS3();
    const o = s3.options;
    const media = { mediaStorage: 's3', s3Endpoint: o.endpoint, s3Bucket: o.bucket, s3AccessKeyId: o.accessKeyId, s3SecretAccessKey: o.secretAccessKey, s3Prefix: 'cluster/' };
    await cluster.start('n1', ['gateway', 'logic', 'api'], media);
    await cluster.start('n2', ['gateway', 'logic', 'api'], media);
  });
  afterAll(async () => {
    await cluster.close();
    await s3?.stop();
  });

  it('uploads through one node and downloads through the other', async () => {
    const client = async (nodeId: string, name: string) => {
      const c = new XinboxClient({ baseUrl: cluster.node(nodeId).httpUrl, accessUrl: false, deviceId: name, cursorStore: new MemoryCursorStore() });
      await c.register(name, 'a long password');
      await c.login(name, 'a long password');
      await c.connect();
      return c;
    };
    const alice = await client('n1', `s3alice${Date.now()}`);
    const bob = await client('n2', `s3bob${Date.now()}`);
    try {
      const data = randomBytes(700_000);
      const ref = await alice.upload(data, { chunkBytes: 256 * 1024 });
      const conv = (await alice.openDirect({ userId: bob.userId! })).conversationId;
      const seen: string[] = [];
      bob.on('message', (m) => {
        const k = m.content?.kind;
        if (k?.case === 'file') seen.push(k.value.mediaId);
      });
      await alice.send(conv, mediaContent(ref));
      const mediaId = await waitFor('the file message on the other node', () => seen[0]);
      const fetched = await bob.describeMedia(mediaId);
      expect(fetched.urls.original!.startsWith(cluster.node('n2').httpUrl)).toBe(true);
      expect(sha256((await get(fetched.urls.original!)).body)).toBe(sha256(data));
      // The n1-signed URL works on n2 too: the signing key derives from the shared token secret.
      const crossUrl = ref.urls.original!.replace(cluster.node('n1').httpUrl, cluster.node('n2').httpUrl);
      expect((await get(crossUrl, { range: 'bytes=0-9' })).body.equals(data.subarray(0, 10))).toBe(true);
    } finally {
      await alice.close();
      await bob.close();
    }
  });
});
