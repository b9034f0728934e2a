import { randomBytes } from 'node:crypto';
import { nowMs } from '../time.js';
import { describeMeasurement, measure, measurementNotes, warmUp } from './common.js';
import { MediaUploader } from './media-upload.js';
import { setupPairs } from './pairs.js';
import { failed, skipped, type TargetOutcome, type TargetSession, type Workload } from './types.js';

const MB = 1024 * 1024;

/**
 * W5: the media channel. Upload throughput for 1 MB and 50 MB files, then the
 * seed's point that binary traffic must not slow text: W1 at a fixed rate,
 * measured twice in the same run on the same connections — alone, and while
 * `uploaders` clients upload 50 MB files back to back over HTTP.
 */
export const w5: Workload = {
  id: 'w5',
  title: 'W5 media channel: upload throughput, W1 beside uploads',
  description:
    'Upload throughput (MB/s, chunked uploads of random bytes over HTTP on loopback, 4 MiB chunks; the server hashes, ' +
    'sniffs and stores each file) for 1 MB files (sequential) and 50 MB files. Then W1 one-to-one messaging at a fixed ' +
    'offered rate, measured without uploads and again while concurrent 50 MB uploads run, same connections, same run: ' +
    'the p99 difference is what binary traffic costs text.',
  headline: 'w1P99WithUploadsMs',
  config: (o) => ({ ...o.w5, warmupS: o.warmupS }),
  async run(s: TargetSession): Promise<TargetOutcome> {
    if (s.name !== 'xinbox') return skipped('the baselines have no media channel');
    const cfg = s.opts.w5;
    let uploader: MediaUploader;
    try {
      uploader = await MediaUploader.forNewUser(s.server.httpBase);
    } catch (e) {
      return failed(`media user: ${(e as Error).message}`);
    }
    try {
      const small = await throughput(uploader, 1 * MB, cfg.smallFiles);
      const large = await throughput(uploader, 50 * MB, cfg.largeFiles);
      s.log(`uploads: 1 MB ${small.toFixed(1)} MB/s, 50 MB ${large.toFixed(1)} MB/s`);

      const setup = await setupPairs(s, cfg.users, cfg.senders);
      if ('status' in setup) return setup;
      const spec = { ratePerSec: cfg.rate, durationS: cfg.durationS, warmupS: s.opts.warmupS, senders: setup.senders, fanout: 1, trackPerMessage: false };
      await warmUp(s, { ratePerSec: Math.round(cfg.rate / 4), senders: setup.senders, fanout: 1, trackPerMessage: false });
      const alone = await measure(s, spec);
      s.log(`W1 alone: ${describeMeasurement(alone)}`);

      const uploaders = await Promise.all(Array.from({ length: cfg.uploaders }, () => MediaUploader.forNewUser(s.server.httpBase)));
      const file = randomBytes(50 * MB);
      let uploading = true;
      let uploadedBytes = 0;
      const startedAt = nowMs();
      const loops = uploaders.map(async (u) => {
        while (uploading) {
          await u.upload(file, (n) => {
            if (uploading) uploadedBytes += n;
          });
        }
      });
      const beside = await measure(s, spec);
      uploading = false;
      // Bytes stored while W1 ran (chunks, so a file still in flight counts what arrived).
      const besideMBps = uploadedBytes / MB / ((nowMs() - startedAt) / 1000);
      await Promise.allSettled(loops);
      for (const u of uploaders) u.close();
      s.log(`W1 beside uploads (${besideMBps.toFixed(1)} MB/s uploaded): ${describeMeasurement(beside)}`);
      return {
        status: 'ok',
        metrics: {
          upload1MbMBps: { value: small, unit: 'MB/s', better: 'higher', noise: 5 },
          upload50MbMBps: { value: large, unit: 'MB/s', better: 'higher', noise: 5 },
          w1P99Ms: { value: alone.latency.p99Ms, unit: 'ms', better: 'lower', noise: 2 },
          w1P99WithUploadsMs: { value: beside.latency.p99Ms, unit: 'ms', better: 'lower', noise: 2 },
          w1DeliveredPerSec: { value: alone.deliveredPerSec, unit: 'msg/s', better: 'higher' },
          w1DeliveredWithUploadsPerSec: { value: beside.deliveredPerSec, unit: 'msg/s', better: 'higher' },
          uploadBesideW1MBps: { value: besideMBps, unit: 'MB/s', better: 'none' },
          lost: { value: alone.lost + beside.lost, unit: 'msgs', better: 'lower', noise: 0 },
        },
        detail: { alone, beside },
        notes: [...measurementNotes(alone), ...measurementNotes(beside)],
      };
    } finally {
      uploader.close();
    }
  },
};

/** MB/s over `count` uploads of `bytes` random bytes each, one at a time. */
async function throughput(u: MediaUploader, bytes: number, count: number): Promise<number> {
  const files = Array.from({ length: count }, () => randomBytes(bytes));
  const t0 = nowMs();
  for (const f of files) await u.upload(f);
  return (bytes * count) / MB / ((nowMs() - t0) / 1000);
}
