import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface AvInfo {
  readonly durationMs: number;
  readonly width: number;
  readonly height: number;
  readonly hasVideo: boolean;
}

/**
 * Video and audio facts through ffprobe/ffmpeg child processes (never on the
 * event loop). Both are optional: when the binary is missing the item is
 * stored without duration or poster (logged once by the caller).
 */
export class AvProbe {
  constructor(private readonly ffprobe: string, private readonly ffmpeg: string) {}

  async probe(path: string): Promise<AvInfo | null> {
    const out = await run(this.ffprobe, ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', path]).catch(() => null);
    if (out === null) return null;
    const info = JSON.parse(out) as { format?: { duration?: string }; streams?: Array<{ codec_type?: string; width?: number; height?: number; tags?: { rotate?: string }; side_data_list?: Array<{ rotation?: number }> }> };
    const video = info.streams?.find((s) => s.codec_type === 'video');
    const rotation = Math.abs(Number(video?.tags?.rotate ?? video?.side_data_list?.find((d) => d.rotation !== undefined)?.rotation ?? 0));
    const swap = rotation === 90 || rotation === 270;
    const seconds = Number(info.format?.duration ?? 0);
    return {
      durationMs: Number.isFinite(seconds) ? Math.round(seconds * 1000) : 0,
      width: (swap ? video?.height : video?.width) ?? 0,
      height: (swap ? video?.width : video?.height) ?? 0,
      hasVideo: !!video,
    };
  }

  /** A JPEG poster frame (at 1 s, or the first frame of a shorter clip), at most 1280 px wide. */
  async poster(path: string, durationMs: number): Promise<Buffer | null> {
    const dir = await mkdtemp(join(tmpdir(), 'xinbox-poster-'));
    try {
      const out = join(dir, 'poster.jpg');
      const at = durationMs > 1500 ? '1' : '0';
      await run(this.ffmpeg, ['-v', 'error', '-ss', at, '-i', path, '-frames:v', '1', '-vf', "scale='min(1280,iw)':-2", '-q:v', '4', '-y', out]);
      return await readFile(out);
    } catch {
      return null;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

function run(bin: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { timeout: 60_000, maxBuffer: 4 * 1024 * 1024 }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
  });
}
