import { join } from 'node:path';
import type { XinboxConfig } from '../config.js';
import type { ConversationStore } from '../core/ports/conversation-store.js';
import type { MediaCatalog } from '../core/ports/media-catalog.js';
import type { MediaStore } from '../core/ports/media-store.js';
import { MediaAccess } from '../core/media/media-access.js';
import { MediaAttacher } from '../core/media/media-attacher.js';
import { MediaUrlSigner } from '../core/media/media-url-signer.js';
import type { Logger } from '../logger.js';
import { FsMediaStore } from '../adapters/media/fs-media-store.js';
import { MediaCollector } from './media-collector.js';
import { MediaService } from './media-service.js';
import { UploadStaging } from './upload-staging.js';

export { MediaService, mediaJson, type MediaJson, type MediaLimits } from './media-service.js';
export { MediaCollector } from './media-collector.js';

export interface MediaChannel {
  readonly service: MediaService;
  readonly attacher: MediaAttacher;
  readonly collector: MediaCollector;
  readonly store: MediaStore;
  close(): Promise<void>;
}

/** The MediaStore chosen by config: a directory (default `<dataDir>/media/objects`) or an S3 bucket. */
export async function openMediaStore(config: XinboxConfig, mediaDir: string): Promise<MediaStore> {
  if (config.mediaStorage === 's3') {
    const { S3MediaStore } = await import('../adapters/media/s3-media-store.js');
    return new S3MediaStore({
      endpoint: config.s3Endpoint, region: config.s3Region, bucket: config.s3Bucket, prefix: config.s3Prefix,
      accessKeyId: config.s3AccessKeyId, secretAccessKey: config.s3SecretAccessKey, forcePathStyle: config.s3ForcePathStyle,
    });
  }
  return new FsMediaStore(join(mediaDir, 'objects'));
}

/** Builds the media channel over the catalog in `storage` and the configured MediaStore. */
export async function openMediaChannel(deps: {
  config: XinboxConfig;
  dataDir: string;
  catalog: MediaCatalog;
  conversations: ConversationStore;
  tokenSecret: string;
  log: Logger;
  store?: MediaStore;
}): Promise<MediaChannel> {
  const { config } = deps;
  const mediaDir = config.mediaDir || join(deps.dataDir, 'media');
  const store = deps.store ?? (await openMediaStore(config, mediaDir));
  // Staging is node-local even with S3: a chunk lands on local disk first.
  const staging = await UploadStaging.open(join(mediaDir, 'uploads', config.nodeId || 'local'));
  const access = new MediaAccess(deps.catalog, deps.conversations);
  const service = new MediaService(staging, store, deps.catalog, access, new MediaUrlSigner(deps.tokenSecret, config.mediaUrlTtlMs), {
    maxBytes: { image: config.mediaMaxImageBytes, video: config.mediaMaxVideoBytes, audio: config.mediaMaxAudioBytes, file: config.mediaMaxFileBytes },
    quotaBytes: config.mediaQuotaBytes,
    maxOpenUploads: config.mediaMaxOpenUploads,
    ffmpegPath: config.mediaFfmpegPath,
    ffprobePath: config.mediaFfprobePath,
  }, deps.log);
  const collector = new MediaCollector(service, config.mediaUnreferencedTtlMs, config.mediaCollectIntervalMs, deps.log);
  collector.start();
  return {
    service,
    attacher: new MediaAttacher(deps.catalog, access),
    collector,
    store,
    close: async () => {
      await collector.stop();
      if (!deps.store) await store.close();
    },
  };
}
